package actors.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

class HistoricStartTest {
  @Test
  void aPrimaryAtTheEndOfTheTimelineOrOnAFreshOneMayStart() {
    assertEquals(Optional.empty(), HistoricStart.refusal("tl", Lsn.parse("0/2000028"), Lsn.parse("0/2000028")));
    assertEquals(Optional.empty(), HistoricStart.refusal("tl", Lsn.parse("0/3000000"), Lsn.parse("0/2000028")), "the pageserver lags");
    assertEquals(Optional.empty(), HistoricStart.refusal("tl", Lsn.parse("0/2000025"), Lsn.parse("0/2000028")), "alignment padding");
    assertEquals(Optional.empty(), HistoricStart.refusal("tl", Lsn.INVALID, Lsn.parse("0/2000028")), "no WAL on the safekeepers yet");
  }

  @Test
  void aPrimaryBehindWalThePageserverHoldsIsRefusedWithAdviceToBranch() {
    String why = HistoricStart.refusal("tl", Lsn.parse("0/1000000"), Lsn.parse("0/2000028")).orElseThrow();
    assertTrue(why.contains("historic LSN") && why.contains("0/1000000") && why.contains("create a branch"), why);
  }
}
