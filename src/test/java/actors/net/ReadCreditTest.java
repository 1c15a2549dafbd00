package actors.net;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReadCreditTest {
  @Test
  void aReleasedCreditCanBeTakenAgain() throws Exception {
    ReadCredit c = new ReadCredit(1);
    c.acquire(() -> false);
    c.release();
    c.acquire(() -> false);
  }

  @Test
  void aReaderWaitingOnAClosedConnectionGivesUp() throws Exception {
    ReadCredit c = new ReadCredit(1);
    c.acquire(() -> false);
    assertThrows(IOException.class, () -> c.acquire(() -> true));
  }
}
