package store.redo;

import java.util.concurrent.CompletionStage;
import wire.redo.RedoRequest;

/**
 * Where PostgreSQL WAL records are replayed: one page per request. The stage completes with the
 * 8 KiB page, or fails with {@link RedoFailed} (the service refused this request) or
 * {@link RedoProcessFailed} (the service could not serve it: its process died, hung or is gone).
 */
@FunctionalInterface
public interface RedoService {
  CompletionStage<byte[]> redo(RedoRequest request);
}
