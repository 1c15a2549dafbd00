package wire.pg;

/**
 * Largest frames a decoder accepts, as values of the length word (which counts itself). A frame
 * over its limit fails as soon as its header arrives, before any of its body is buffered.
 *
 * @param maxFrame    any typed message; PostgreSQL's own limit is 1 GiB - 1
 * @param maxCopyData CopyData, which carries WAL and pages: 16 MiB by default
 * @param maxStartup  the untyped startup packet; PostgreSQL allows 10000 bytes
 */
public record DecoderLimits(int maxFrame, int maxCopyData, int maxStartup) {
  public static final DecoderLimits DEFAULT = new DecoderLimits(1 << 30, 16 << 20, 10_000);

  public DecoderLimits {
    if (maxFrame < 4 || maxCopyData < 4 || maxStartup < 8) {
      throw new IllegalArgumentException("decoder limits too small: " + maxFrame + "/" + maxCopyData + "/" + maxStartup);
    }
  }

  public DecoderLimits withMaxCopyData(int bytes) {
    return new DecoderLimits(maxFrame, bytes, maxStartup);
  }

  public DecoderLimits withMaxFrame(int bytes) {
    return new DecoderLimits(bytes, maxCopyData, maxStartup);
  }

  long limitFor(char type) {
    if (type == 0) return maxStartup;
    return type == CopyData.TYPE ? Math.min(maxCopyData, maxFrame) : maxFrame;
  }
}
