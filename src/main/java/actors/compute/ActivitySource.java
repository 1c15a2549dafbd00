package actors.compute;

import java.util.List;

/** One sample of pg_stat_activity for the {@link ActivityMonitor}; blocking, called from one thread at a time. */
public interface ActivitySource extends AutoCloseable {
  List<Activity.Backend> sample() throws Exception;

  @Override
  void close();
}
