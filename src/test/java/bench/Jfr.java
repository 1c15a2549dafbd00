package bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import testkit.StrataProcess;

/**
 * Optional profiling of a node the benchmark started: with {@code -Dbench.jfr=PREFIX}, a JFR
 * recording (settings=profile) runs on the node's JVM between {@link #start} and {@link #dump},
 * written to {@code PREFIX-LABEL.jfr}. Without the property both do nothing.
 */
final class Jfr {
  private static final String PREFIX = System.getProperty("bench.jfr");

  private Jfr() {}

  static void start(StrataProcess node) {
    jcmd(node, "JFR.start", "name=bench", "settings=profile");
  }

  static void dump(StrataProcess node, String label) {
    if (PREFIX == null) return;
    jcmd(node, "JFR.dump", "name=bench", "filename=" + Path.of(PREFIX + "-" + label + ".jfr").toAbsolutePath());
    jcmd(node, "JFR.stop", "name=bench");
  }

  private static void jcmd(StrataProcess node, String... args) {
    if (PREFIX == null) return;
    Optional<ProcessHandle> jvm = Machine.strataNode(node);
    if (jvm.isEmpty()) throw new IllegalStateException("no JVM found for node " + node.name());
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(jvm.get().pid())));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
