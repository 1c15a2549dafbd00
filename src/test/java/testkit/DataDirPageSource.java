package testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import wire.pagestream.PagestreamRequest.SlruKind;
import wire.pgdata.RelFilePath;
import wire.pgdata.RelTag;
import wire.pgdata.Slru;

/**
 * A {@link PageSource} over the files of a (stopped or paused) data directory. The directory holds
 * one version of every page, so the LSN of a request is ignored.
 */
public final class DataDirPageSource implements PageSource {
  private final Path dataDir;

  public DataDirPageSource(Path dataDir) {
    this.dataDir = dataDir;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public byte[] page(RelTag rel, int blkno, long lsn) throws IOException {
    return RelationFiles.readBlocks(dataDir, rel, blkno, 1).get(0);
  }

  @Override
  public List<byte[]> pages(RelTag rel, int from, int count, long lsn) throws IOException {
    return RelationFiles.readBlocks(dataDir, rel, from, count);
  }

  /** The size on disk; a fork without a file fails with NoSuchFileException naming it. */
  @Override
  public int nblocks(RelTag rel, long lsn) throws IOException {
    RelationFiles.Fork f = RelationFiles.fork(dataDir, rel);
    if (f == null) throw new NoSuchFileException(dataDir.resolve(new RelFilePath(rel, 0).format()).toString(), null, "no such relation " + rel);
    return f.nblocks();
  }

  @Override
  public byte[] slruSegment(SlruKind kind, int segno, long lsn) throws IOException {
    Path file = dataDir.resolve(Slru.fileName(RelationFiles.slruDirectory(kind), segno));
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such SLRU segment");
    return Files.readAllBytes(file);
  }
}
