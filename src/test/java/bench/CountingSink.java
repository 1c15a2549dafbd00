package bench;

import java.io.OutputStream;

/** Counts and drops bytes: where a benchmark's stream goes when only its size matters. */
final class CountingSink extends OutputStream {
  long bytes;

  @Override
  public void write(int b) {
    bytes++;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    bytes += len;
  }
}
