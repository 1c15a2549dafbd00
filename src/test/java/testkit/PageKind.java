package testkit;

import java.util.Locale;
import wire.pgdata.ForkNumber;

/**
 * What a relation page holds, which decides how it is masked before comparison. The access method
 * of the relation is the reliable source ({@link #of(ForkNumber, String, char)}); when it is not
 * known, {@link #detect(ForkNumber, byte[])} reads the special space of the page.
 */
public enum PageKind {
  HEAP, BTREE, HASH, GIN, GIST, SPGIST, BRIN, SEQUENCE, FSM, VM,
  /** A page PageKind could not place: compared with only pd_lsn and pd_checksum masked. */
  UNKNOWN;

  private static final int HASHO_PAGE_ID = 0xFF80;
  private static final int GIST_PAGE_ID = 0xFF81;
  private static final int SPGIST_PAGE_ID = 0xFF82;
  private static final int BRIN_PAGETYPE_META = 0xF091;
  private static final int BRIN_PAGETYPE_REGULAR = 0xF093;
  private static final int SEQ_MAGIC = 0x1717;

  /**
   * The kind from the fork and the relation's catalog entry: {@code amname} from pg_am (null for
   * relations without one) and {@code relkind} from pg_class. FSM and VM forks are their own kinds
   * whatever the relation.
   */
  public static PageKind of(ForkNumber fork, String amname, char relkind) {
    if (fork == ForkNumber.FSM) return FSM;
    if (fork == ForkNumber.VM) return VM;
    if (relkind == 'S') return SEQUENCE;
    if (amname == null) return UNKNOWN;
    switch (amname.toLowerCase(Locale.ROOT)) {
      case "heap": return HEAP;
      case "btree": return BTREE;
      case "hash": return HASH;
      case "gin": return GIN;
      case "gist": return GIST;
      case "spgist": return SPGIST;
      case "brin": return BRIN;
      default: return UNKNOWN;
    }
  }

  /**
   * The kind guessed from the page itself: no special space is a heap page; 16 bytes are hash or
   * GiST when their page id says so, else btree; 8 bytes are SP-GiST or BRIN by their page id, a
   * sequence by its magic, else GIN. An all-zero page is {@link #UNKNOWN} (there is nothing to mask).
   */
  public static PageKind detect(ForkNumber fork, byte[] page) {
    if (fork == ForkNumber.FSM) return FSM;
    if (fork == ForkNumber.VM) return VM;
    PageView p = new PageView(page);
    if (p.isNew() || !p.headerIsSane()) return UNKNOWN;
    int special = p.special();
    int size = PageView.SIZE - special;
    if (size == 0) return HEAP;
    int lastU16 = p.u16(PageView.SIZE - 2);
    if (size == 16) {
      if (lastU16 == HASHO_PAGE_ID) return HASH;
      if (lastU16 == GIST_PAGE_ID) return GIST;
      return BTREE;
    }
    if (size == 8) {
      if (lastU16 == SPGIST_PAGE_ID) return SPGIST;
      if (lastU16 >= BRIN_PAGETYPE_META && lastU16 <= BRIN_PAGETYPE_REGULAR) return BRIN;
      if (p.u32(special) == SEQ_MAGIC && lastU16 == 0) return SEQUENCE;
      return GIN;
    }
    return UNKNOWN;
  }
}
