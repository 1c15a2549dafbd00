package actors.compute;

/** A compute spec a user sent that cannot be used; the message names the field and what is wrong with its value. */
public final class InvalidSpec extends IllegalArgumentException {
  private final String field;

  public InvalidSpec(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** The JSON path of the offending field, e.g. {@code spec.cluster.roles[1].name}. */
  public String field() {
    return field;
  }
}
