package testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import wire.pgdata.ForkNumber;

/** Each kind's mask hides what PostgreSQL writes without WAL, and nothing that WAL carries. */
class PageMaskingTest {
  private static final int PAGE = PageMasking.PAGE;

  /** A page with two items of 40 bytes under the special space, 16 unreferenced bytes below them. */
  private static PageView page(int specialSize) {
    PageView v = new PageView(new byte[PAGE]);
    int special = PAGE - specialSize;
    v.setLsn(0x1_0000_2000L);
    v.putU16(12, PageView.HEADER + 8);
    v.putU16(14, special - 96);   // 16 bytes no item covers, then the two items
    v.putU16(16, special);
    v.putU16(18, PAGE | 4);
    for (int i = 0; i < 2; i++) {
      int off = special - 40 * (i + 1);
      v.setItemId(i, off | (PageView.LP_NORMAL << 15) | (40 << 17));
      for (int k = 0; k < 40; k++) v.page[off + k] = (byte) (k + 1);
      v.putU16(off + 20, 0x0002);   // t_infomask: HEAP_HASVARWIDTH, no hints
    }
    return v;
  }

  private static boolean sameAfterMask(PageKind kind, PageView a, Consumer<PageView> change) {
    PageView b = new PageView(a.page.clone());
    change.accept(b);
    return Arrays.equals(PageMasking.mask(kind, a.page, 3), PageMasking.mask(kind, b.page, 3));
  }

  @Test
  void heapHintsCommandIdsTheHoleAndUnreferencedSpaceAreMasked() {
    PageView heap = page(0);
    int tuple = PAGE - 40;
    assertEquals(true, sameAfterMask(PageKind.HEAP, heap, v -> {
      v.setLsn(0x2_0000_0000L);
      v.putU16(8, 0xBEEF);                            // pd_checksum
      v.setFlags(0x0007);                             // PD_HAS_FREE_LINES, PD_PAGE_FULL, PD_ALL_VISIBLE
      v.putU32(20, 777);                              // pd_prune_xid
      v.putU16(tuple + 20, 0x0002 | 0x0100 | 0x0800); // HEAP_XMIN_COMMITTED, HEAP_XMAX_INVALID
      v.putU32(tuple + 8, 5);                         // t_cid
      v.page[100] = 9;                                // the hole
      v.page[v.upper()] = 9;                          // space no line pointer covers
    }));
  }

  @Test
  void heapTupleDataAndFreezingAreNotMasked() {
    PageView heap = page(0);
    int tuple = PAGE - 40;
    assertFalse(sameAfterMask(PageKind.HEAP, heap, v -> v.page[tuple + 30] ^= 1));
    assertFalse(sameAfterMask(PageKind.HEAP, heap, v -> v.putU32(tuple, 1234)), "xmin");
    assertFalse(sameAfterMask(PageKind.HEAP, heap, v -> v.putU16(tuple + 20, 0x0002 | 0x0300)), "xmin frozen is logged");
    assertFalse(sameAfterMask(PageKind.HEAP, heap, v -> v.setItemId(1, PageView.withLpFlags(v.itemId(1), PageView.LP_DEAD))));
  }

  @Test
  void aFrozenTupleStillHasItsXmaxHintsMasked() {
    PageView heap = page(0);
    int tuple = PAGE - 40;
    heap.putU16(tuple + 20, 0x0300);
    assertEquals(true, sameAfterMask(PageKind.HEAP, heap, v -> v.putU16(tuple + 20, 0x0300 | 0x0C00)));
    assertFalse(sameAfterMask(PageKind.HEAP, heap, v -> v.putU16(tuple + 20, 0x0300 | 0x1000)), "HEAP_XMAX_IS_MULTI is logged");
  }

  @Test
  void btreeLeafItemFlagsCycleIdAndGarbageAreMaskedButInternalItemFlagsAreNot() {
    PageView leaf = page(16);
    leaf.putU16(PAGE - 4, 1);   // BTP_LEAF
    assertEquals(true, sameAfterMask(PageKind.BTREE, leaf, v -> {
      v.setItemId(0, PageView.withLpFlags(v.itemId(0), PageView.LP_DEAD));
      v.putU16(PAGE - 4, 1 | 0x20 | 0x40);   // BTP_SPLIT_END, BTP_HAS_GARBAGE
      v.putU16(PAGE - 2, 17);                // btpo_cycleid
    }));
    assertFalse(sameAfterMask(PageKind.BTREE, leaf, v -> v.putU32(PAGE - 8, 2)), "btpo_level");
    PageView internal = page(16);
    assertFalse(sameAfterMask(PageKind.BTREE, internal, v -> v.setItemId(0, PageView.withLpFlags(v.itemId(0), PageView.LP_DEAD))));
  }

  @Test
  void hashUnusedPagesAreMaskedWholeAndDeadTupleHintsOnBucketPages() {
    PageView unused = page(16);
    unused.putU16(PAGE - 2, 0xFF80);
    assertEquals(true, sameAfterMask(PageKind.HASH, unused, v -> v.page[PAGE - 60] ^= 1));
    PageView bucket = page(16);
    bucket.putU16(PAGE - 2, 0xFF80);
    bucket.putU16(PAGE - 4, 2);   // LH_BUCKET_PAGE
    assertEquals(true, sameAfterMask(PageKind.HASH, bucket, v -> v.putU16(PAGE - 4, 2 | 0x80)));
    assertFalse(sameAfterMask(PageKind.HASH, bucket, v -> v.page[PAGE - 30] ^= 1));
  }

  @Test
  void ginDeletedPagesAreMaskedWholeAndDataPagesKeepTheirPostingLists() {
    PageView deleted = page(8);
    deleted.putU16(PAGE - 2, 4);   // GIN_DELETED
    assertEquals(true, sameAfterMask(PageKind.GIN, deleted, v -> v.page[PAGE - 30] ^= 1));
    PageView data = page(8);
    data.putU16(PAGE - 2, 1 | 2 | 0x80);   // GIN_DATA | GIN_LEAF | GIN_COMPRESSED: lists sit below pd_lower
    assertFalse(sameAfterMask(PageKind.GIN, data, v -> v.page[PageView.HEADER + 2] ^= 1));
  }

  @Test
  void gistNsnFollowRightAndGarbageAreMasked() {
    PageView gist = page(16);
    gist.putU16(PAGE - 2, 0xFF81);
    assertEquals(true, sameAfterMask(PageKind.GIST, gist, v -> {
      v.putU64(PAGE - 16, 0x55_0000_0000L);   // NSN
      v.putU16(PAGE - 4, 0x08 | 0x10);        // F_FOLLOW_RIGHT, F_HAS_GARBAGE
    }));
    assertFalse(sameAfterMask(PageKind.GIST, gist, v -> v.putU32(PAGE - 8, 42)), "rightlink");
  }

  @Test
  void spgistMetaPageCacheAndBrinEvacuationAreMasked() {
    PageView meta = page(8);
    meta.putU16(PAGE - 8, 1);   // SPGIST_META
    meta.putU16(PAGE - 2, 0xFF82);
    assertEquals(true, sameAfterMask(PageKind.SPGIST, meta, v -> v.putU32(PageView.HEADER + 4, 99)));
    assertFalse(sameAfterMask(PageKind.SPGIST, meta, v -> v.putU32(PageView.HEADER, 99)), "magic number");
    PageView brin = page(8);
    brin.putU16(PAGE - 2, 0xF093);
    assertEquals(true, sameAfterMask(PageKind.BRIN, brin, v -> v.putU16(PAGE - 4, 1)));
    assertFalse(sameAfterMask(PageKind.BRIN, brin, v -> v.page[PAGE - 20] ^= 1));
  }

  @Test
  void fsmPagesAreMaskedWholeButVisibilityMapBitsAreNot() {
    PageView map = page(0);
    map.putU16(12, PageView.HEADER);
    map.putU16(14, PAGE);
    assertEquals(true, sameAfterMask(PageKind.FSM, map, v -> v.page[4000] = 7));
    assertFalse(sameAfterMask(PageKind.VM, map, v -> v.page[PageView.HEADER] = 3));
    assertEquals(true, sameAfterMask(PageKind.VM, map, v -> v.setLsn(5)), "pd_lsn is compared apart");
  }

  @Test
  void aSequenceKeepsItsHintsAndAnAllZeroPageIsUnchanged() {
    PageView seq = page(8);
    assertFalse(sameAfterMask(PageKind.SEQUENCE, seq, v -> v.putU32(20, 5)), "seq_mask leaves pd_prune_xid");
    assertEquals(true, sameAfterMask(PageKind.SEQUENCE, seq, v -> v.page[100] = 1), "the hole");
    assertArrayEquals(new byte[PAGE], PageMasking.mask(PageKind.HEAP, new byte[PAGE], 0));
  }

  @Test
  void theKindIsReadFromTheSpecialSpace() {
    assertEquals(PageKind.HEAP, PageKind.detect(ForkNumber.MAIN, page(0).page));
    assertEquals(PageKind.BTREE, PageKind.detect(ForkNumber.MAIN, page(16).page));
    PageView hash = page(16);
    hash.putU16(PAGE - 2, 0xFF80);
    assertEquals(PageKind.HASH, PageKind.detect(ForkNumber.MAIN, hash.page));
    PageView gist = page(16);
    gist.putU16(PAGE - 2, 0xFF81);
    assertEquals(PageKind.GIST, PageKind.detect(ForkNumber.INIT, gist.page));
    PageView spgist = page(8);
    spgist.putU16(PAGE - 2, 0xFF82);
    assertEquals(PageKind.SPGIST, PageKind.detect(ForkNumber.MAIN, spgist.page));
    PageView brin = page(8);
    brin.putU16(PAGE - 2, 0xF092);
    assertEquals(PageKind.BRIN, PageKind.detect(ForkNumber.MAIN, brin.page));
    PageView seq = page(8);
    seq.putU32(PAGE - 8, 0x1717);
    assertEquals(PageKind.SEQUENCE, PageKind.detect(ForkNumber.MAIN, seq.page));
    assertEquals(PageKind.GIN, PageKind.detect(ForkNumber.MAIN, page(8).page));
    assertEquals(PageKind.VM, PageKind.detect(ForkNumber.VM, page(0).page));
    assertEquals(PageKind.FSM, PageKind.detect(ForkNumber.FSM, page(0).page));
    assertEquals(PageKind.UNKNOWN, PageKind.detect(ForkNumber.MAIN, new byte[PAGE]));
  }
}
