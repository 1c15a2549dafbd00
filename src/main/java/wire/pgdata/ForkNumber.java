package wire.pgdata;

/** A relation fork, in PostgreSQL's numbering, with the suffix its files carry. */
public enum ForkNumber {
  MAIN(""), FSM("_fsm"), VM("_vm"), INIT("_init");

  private final String suffix;

  ForkNumber(String suffix) {
    this.suffix = suffix;
  }

  /** The file name suffix: empty for the main fork, else {@code _fsm}, {@code _vm}, {@code _init}. */
  public String suffix() {
    return suffix;
  }

  /** The name pg_waldump and Strata's own dump use: main, fsm, vm, init. */
  public String shortName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The fork with this number, or null when it is not 0..3. */
  public static ForkNumber ofNumber(int n) {
    return n >= 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : null;
  }

  /** values() clones its array on every call; ingest asks once per block reference. */
  private static final ForkNumber[] BY_NUMBER = values();
}
