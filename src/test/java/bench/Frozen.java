package bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A process and its children held by SIGSTOP, as a network partition or a long pause would hold a
 * consumer of WAL, and let go with SIGCONT: it then catches up with its caches and JIT as they were.
 */
final class Frozen implements AutoCloseable {
  private final List<Long> pids = new ArrayList<>();
  private boolean stopped;

  private Frozen(Optional<ProcessHandle> root) {
    ProcessHandle p = root.orElseThrow(() -> new IllegalStateException("no such process to freeze"));
    pids.add(p.pid());
    p.descendants().forEach(d -> pids.add(d.pid()));
  }

  /** Stops {@code root} and every process below it. */
  static Frozen stop(Optional<ProcessHandle> root) {
    Frozen f = new Frozen(root);
    f.signal("STOP");
    f.stopped = true;
    return f;
  }

  /** Lets the processes run again. */
  void resume() {
    if (!stopped) return;
    signal("CONT");
    stopped = false;
  }

  @Override
  public void close() {
    resume();
  }

  private void signal(String name) {
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + name));
    pids.forEach(pid -> cmd.add(Long.toString(pid)));
    testkit.StrataProcess.Result r = testkit.StrataProcess.run(new ProcessBuilder(cmd), java.time.Duration.ofSeconds(10));
    if (r.exitCode() != 0) throw new IllegalStateException("kill -" + name + " " + pids + ": " + r.stderr());
  }
}
