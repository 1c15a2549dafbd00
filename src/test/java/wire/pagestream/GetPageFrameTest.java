package wire.pagestream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import wire.pg.CopyData;

class GetPageFrameTest {
  @Test
  void headerTagAndPageWrittenApartAreTheCopyDataOfTheEncodedResponse() {
    byte[] page = new byte[PagestreamResponse.PAGE_SIZE];
    for (int i = 0; i < page.length; i++) page[i] = (byte) (i * 31 + 7);
    ByteArrayOutputStream apart = new ByteArrayOutputStream();
    apart.writeBytes(CopyData.header(1 + page.length));
    apart.write(PagestreamResponse.GetPage.TAG);
    apart.writeBytes(page);
    assertArrayEquals(new CopyData(new PagestreamResponse.GetPage(page).encode()).encode(), apart.toByteArray());
  }
}
