package wire.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged input must end in a {@link ProtocolException} (or in messages, when a flip happens to
 * leave a valid stream) and never in any other exception. Seeded, bounded, repeatable.
 */
class PgDecoderFuzzTest {
  private static final int ROUNDS = 3000;
  private static final byte[] BACKEND = PgDecoderTest.concat(MessageRoundTripTest.backendSamples());
  private static final byte[] FRONTEND = PgDecoderTest.concat(MessageRoundTripTest.frontendSamples());

  /** Feeds in random chunks, then finishes; returns the error, or null when the stream decoded. */
  private static ProtocolException decode(PgDecoder<?> d, byte[] bytes, Random random) {
    try {
      int at = 0;
      while (at < bytes.length) {
        int n = Math.min(bytes.length - at, 1 + random.nextInt(40));
        d.feed(Arrays.copyOfRange(bytes, at, at + n));
        at += n;
      }
      d.finish();
      return null;
    } catch (ProtocolException e) {
      return e;
    } catch (RuntimeException e) {
      throw new AssertionError("unchecked exception escaped the decoder", e);
    }
  }

  private static PgDecoder<?> decoderFor(boolean server) {
    return server ? PgDecoder.forServer(DecoderLimits.DEFAULT) : PgDecoder.forClient(DecoderLimits.DEFAULT);
  }

  @Test
  void truncatedStreamsEndInATruncatedError() {
    Random random = new Random(20261122);
    for (int i = 0; i < ROUNDS; i++) {
      boolean server = random.nextBoolean();
      byte[] all = server ? FRONTEND : BACKEND;
      int cut = random.nextInt(all.length);
      ProtocolException e = decode(decoderFor(server), Arrays.copyOf(all, cut), random);
      if (e == null) {
        assertTrue(isFrameBoundary(all, cut, server), "cut at " + cut + " decoded although it is inside a frame");
      } else {
        assertInstanceOf(ProtocolError.Truncated.class, e.error(), e.getMessage());
      }
    }
  }

  @Test
  void bitFlippedStreamsFailWithATypedErrorOrDecode() {
    Random random = new Random(42);
    int failures = 0;
    for (int i = 0; i < ROUNDS; i++) {
      boolean server = random.nextBoolean();
      byte[] bytes = (server ? FRONTEND : BACKEND).clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
      if (decode(decoderFor(server), bytes, random) != null) failures++;
    }
    assertTrue(failures > ROUNDS / 4, "bit flips should mostly break framing, got " + failures + " failures");
  }

  @Test
  void oversizedFramesAreRejectedFromTheHeaderAlone() {
    Random random = new Random(7);
    DecoderLimits limits = new DecoderLimits(1 << 20, 1 << 16, 10_000);
    char[] types = {'D', 'T', 'E', 'd', 'C', 'S'};
    for (int i = 0; i < ROUNDS; i++) {
      char type = types[random.nextInt(types.length)];
      long limit = type == 'd' ? limits.maxCopyData() : limits.maxFrame();
      long length = limit + 1 + (long) (random.nextDouble() * (0xffffffffL - limit - 1));
      byte[] header = {(byte) type, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
      PgDecoder<BackendMessage> d = PgDecoder.forClient(limits);
      ProtocolException e = assertThrows(ProtocolException.class, () -> d.feed(header));
      assertEquals(new ProtocolError.FrameTooLarge(type, length, limit), e.error());
      assertTrue(d.buffered() <= header.length, "buffered " + d.buffered());
    }
  }

  @Test
  void randomGarbageNeverEscapesAsAnUncheckedException() {
    Random random = new Random(99);
    for (int i = 0; i < ROUNDS; i++) {
      byte[] garbage = new byte[random.nextInt(200)];
      random.nextBytes(garbage);
      if (random.nextBoolean() && garbage.length > 0) garbage[0] = (byte) "RSKZTDCIENGHWdcv".charAt(random.nextInt(16));
      decode(decoderFor(random.nextBoolean()), garbage, random);
    }
  }

  private static boolean isFrameBoundary(byte[] all, int cut, boolean server) {
    List<Integer> boundaries = new ArrayList<>();
    int at = 0;
    boolean startup = server;
    while (at < all.length) {
      boundaries.add(at);
      if (startup) {
        int len = ((all[at] & 0xff) << 24) | ((all[at + 1] & 0xff) << 16) | ((all[at + 2] & 0xff) << 8) | (all[at + 3] & 0xff);
        startup = !(len > 8 && all[at + 4] == 0 && all[at + 5] == 3);   // the StartupMessage ends the phase
        at += len;
      } else {
        int len = ((all[at + 1] & 0xff) << 24) | ((all[at + 2] & 0xff) << 16) | ((all[at + 3] & 0xff) << 8) | (all[at + 4] & 0xff);
        at += 1 + len;
      }
    }
    return boundaries.contains(cut);
  }

  @Test
  void theFuzzInputsAreValidBeforeDamage() {
    if (decode(PgDecoder.forServer(DecoderLimits.DEFAULT), FRONTEND, new Random(1)) != null) fail("frontend samples do not decode");
    if (decode(PgDecoder.forClient(DecoderLimits.DEFAULT), BACKEND, new Random(1)) != null) fail("backend samples do not decode");
  }
}
