package testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamRequest.SlruKind;
import wire.pagestream.PagestreamResponse;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

/** The page service client against {@link PagestreamStub} serving a small synthetic data directory. */
class PagestreamClientTest {
  private static final String TENANT = "11111111111111111111111111111111";
  private static final String TIMELINE = "22222222222222222222222222222222";
  private static final RelTag REL = new RelTag(1663, 5, 16384, ForkNumber.MAIN);
  private static final int BLOCKS = 300;   // more than the client's window
  private static final Lsn LSN = Lsn.parse("0/16B3748");

  private Path dataDir;
  private byte[] tar;
  private PagestreamStub stub;

  @BeforeEach
  void serveASyntheticDataDirectory() throws Exception {
    dataDir = Files.createTempDirectory("strata-pagestream-");
    Files.createDirectories(dataDir.resolve("global"));
    Files.createDirectories(dataDir.resolve("base/5"));
    Files.createDirectories(dataDir.resolve("pg_xact"));
    ByteBuffer rel = ByteBuffer.allocate(BLOCKS * 8192).order(ByteOrder.LITTLE_ENDIAN);
    for (int b = 0; b < BLOCKS; b++) rel.putInt(b * 8192 + 100, 1000 + b);
    Files.write(dataDir.resolve("base/5/16384"), rel.array());
    Files.write(dataDir.resolve("base/5/16384_vm"), new byte[8192]);
    byte[] clog = new byte[2 * 8192];
    clog[5] = 0x55;
    Files.write(dataDir.resolve("pg_xact/0000"), clog);
    tar = new byte[2500];
    for (int i = 0; i < tar.length; i++) tar[i] = (byte) (i * 7);
    stub = new PagestreamStub(TENANT, TIMELINE, dataDir, tar);
  }

  @AfterEach
  void stop() throws Exception {
    stub.close();
    TempDirs.delete(dataDir);
  }

  private PagestreamClient open() throws Exception {
    return PagestreamClient.open(stub.port(), PagestreamClient.Startup.of("strata"), TENANT, TIMELINE);
  }

  @Test
  void pipelinedPagesComeBackInRequestOrder() throws Exception {
    try (PagestreamClient ps = open()) {
      List<PagestreamRequest> reqs = new ArrayList<>();
      for (int b = BLOCKS - 1; b >= 0; b--) reqs.add(new PagestreamRequest.GetPage(LSN, LSN, REL, b));
      List<PagestreamResponse> pages = ps.pipeline(reqs);
      assertEquals(BLOCKS, pages.size());
      for (int i = 0; i < BLOCKS; i++) {
        byte[] page = ((PagestreamResponse.GetPage) pages.get(i)).page();
        assertEquals(1000 + BLOCKS - 1 - i, ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getInt(100), "response " + i);
      }
    }
  }

  @Test
  void existsNblocksDbSizeAndSlruSegmentsAnswerFromTheFiles() throws Exception {
    try (PagestreamClient ps = open()) {
      assertTrue(ps.exists(REL, LSN));
      assertFalse(ps.exists(REL.withFork(ForkNumber.FSM), LSN));
      assertEquals(BLOCKS, ps.nblocks(REL, LSN));
      assertEquals(1, ps.nblocks(REL.withFork(ForkNumber.VM), LSN));
      assertEquals((BLOCKS + 1) * 8192L, ps.dbSize(5, LSN));
      byte[] seg = ps.slruSegment(SlruKind.CLOG, 0, LSN);
      assertEquals(2 * 8192, seg.length);
      assertEquals(0x55, seg[5]);
    }
  }

  @Test
  void everyRequestCarriesTheLsnAsRequestLsnAndNotModifiedSince() throws Exception {
    try (PagestreamClient ps = open()) {
      ps.getPage(REL, 7, LSN);
      ps.nblocks(REL, LSN.plus(8));
    }
    assertEquals(new PagestreamRequest.GetPage(LSN, LSN, REL, 7), stub.requests.get(0));
    assertEquals(new PagestreamRequest.Nblocks(LSN.plus(8), LSN.plus(8), REL), stub.requests.get(1));
  }

  @Test
  void anErrorResponseCarriesTheServersMessageAndTheStreamGoesOn() throws Exception {
    try (PagestreamClient ps = open()) {
      PagestreamClient.ServerError e = assertThrows(PagestreamClient.ServerError.class, () -> ps.getPage(REL, BLOCKS, LSN));
      assertTrue(e.getMessage().contains("block 300 of 1663/5/16384.main is past its end 300"), e.getMessage());
      List<PagestreamRequest> reqs = List.of(new PagestreamRequest.GetPage(LSN, LSN, REL, 0),
          new PagestreamRequest.Nblocks(LSN, LSN, new RelTag(1663, 5, 99999, ForkNumber.MAIN)),
          new PagestreamRequest.GetPage(LSN, LSN, REL, 1));
      PagestreamClient.ServerError inPipeline = assertThrows(PagestreamClient.ServerError.class, () -> ps.pipeline(reqs));
      assertTrue(inPipeline.getMessage().startsWith("request 1 (Nblocks 1663/5/99999.main at 0/16B3748): "), inPipeline.getMessage());
      assertEquals(BLOCKS, ps.nblocks(REL, LSN), "answers after the errors are still in step");
    }
  }

  @Test
  void aPagestreamForAnUnknownTimelineIsRefusedWithTheServersReason() {
    PagestreamClient.ServerError e = assertThrows(PagestreamClient.ServerError.class,
        () -> PagestreamClient.open(stub.port(), PagestreamClient.Startup.of("strata"), TENANT, "33333333333333333333333333333333"));
    assertTrue(e.getMessage().contains("no such timeline " + TENANT + "/33333333333333333333333333333333"), e.getMessage());
  }

  @Test
  void basebackupReturnsTheWholeCopyOutStream() throws Exception {
    PagestreamClient.Startup startup = new PagestreamClient.Startup("strata", "postgres", "-c neon.tenant_id=" + TENANT);
    assertArrayEquals(tar, PagestreamClient.basebackup(stub.port(), startup, TENANT, TIMELINE, LSN));
    assertArrayEquals(tar, PagestreamClient.basebackup(stub.port(), startup, TENANT, TIMELINE, null));
    assertThrows(PagestreamClient.ServerError.class, () -> PagestreamClient.basebackup(stub.port(), startup, TENANT, TENANT, LSN));
  }
}
