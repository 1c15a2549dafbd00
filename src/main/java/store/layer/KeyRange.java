package store.layer;

import java.util.Objects;
import wire.keyspace.Key;

/** A half-open range of keys {@code [start, end)}. */
public record KeyRange(Key start, Key end) {
  /** Every key: what an L0 delta layer covers. */
  public static final KeyRange FULL = new KeyRange(Key.MIN, Key.MAX);

  public KeyRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (start.compareTo(end) >= 0) throw new IllegalArgumentException("empty key range " + start + "-" + end);
  }

  /** The range holding exactly one key. */
  public static KeyRange single(Key key) {
    return new KeyRange(key, key.next());
  }

  public boolean contains(Key key) {
    return start.compareTo(key) <= 0 && key.compareTo(end) < 0;
  }

  public boolean overlaps(KeyRange o) {
    return start.compareTo(o.end) < 0 && o.start.compareTo(end) < 0;
  }

  /** True when every key of {@code o} is in this range. */
  public boolean covers(KeyRange o) {
    return start.compareTo(o.start) <= 0 && o.end.compareTo(end) <= 0;
  }

  @Override
  public String toString() {
    return start.toHex() + "-" + end.toHex();
  }
}
