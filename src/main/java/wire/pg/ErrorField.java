package wire.pg;

/** The fields of ErrorResponse and NoticeResponse, by their one-byte codes (protocol.sgml, "Error and Notice Message Fields"). */
public enum ErrorField {
  SEVERITY('S'), SEVERITY_NONLOCALIZED('V'), SQLSTATE('C'), MESSAGE('M'), DETAIL('D'), HINT('H'), POSITION('P'),
  INTERNAL_POSITION('p'), INTERNAL_QUERY('q'), WHERE('W'), SCHEMA('s'), TABLE('t'), COLUMN('c'), DATA_TYPE('d'),
  CONSTRAINT('n'), FILE('F'), LINE('L'), ROUTINE('R');

  public final char code;

  ErrorField(char code) {
    this.code = code;
  }

  /** The field with this code, or null: clients must ignore codes they do not know. */
  public static ErrorField of(char code) {
    for (ErrorField f : values()) if (f.code == code) return f;
    return null;
  }
}
