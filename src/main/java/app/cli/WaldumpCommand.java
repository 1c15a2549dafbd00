package app.cli;

import app.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wire.xlog.BlockRef;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.WalFormatException;
import wire.xlog.WalPageHeader;
import wire.xlog.WalRecord;

/** {@code strata waldump}: decodes WAL segment files and prints one line per record. */
@Command(
    name = "waldump",
    mixinStandardHelpOptions = true,
    description = {
        "Decode PostgreSQL 15 WAL segment files (or directories of them) and print one line per record:",
        "  lsn=X/Y end=X/Y prev=X/Y rmgr=NAME info=0xHH xid=N len=REC/TOT blks=SPC/DB/REL.FORK.BLK[+fpi],...",
        "end is PostgreSQL's EndRecPtr (MAXALIGNed, the next segment for SWITCH); info is the rmgr's bits of",
        "xl_info (xl_info & 0xF0, the bits pg_waldump's desc names); len is pg_waldump's rec/tot: xl_tot_len",
        "without and with full-page images; blks=- when the record has no block references.",
        "Reading stops cleanly at zeroed space after the last record, or when --end is reached.",
        "Bad WAL prints one line naming the LSN and the problem, and exits 1."})
public final class WaldumpCommand implements Callable<Integer> {
  private static final int CHUNK = 1 << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--start", paramLabel = "LSN", converter = LsnConverter.class,
      description = "Print records starting at or after this LSN (X/Y).")
  Lsn start;

  @Option(names = "--end", paramLabel = "LSN", converter = LsnConverter.class,
      description = "Read no WAL at or beyond this LSN: print records that end before it.")
  Lsn end;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "WAL segment files (.partial accepted) or directories of them.")
  List<Path> paths;

  /** Parses X/Y for picocli; a bad LSN is a usage error. */
  public static final class LsnConverter implements CommandLine.ITypeConverter<Lsn> {
    @Override
    public Lsn convert(String text) {
      try {
        return Lsn.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  private record Segment(long number, int timeline, Path path) {}

  @Override
  public Integer call() throws IOException {
    List<Segment> segments = findSegments();
    long segmentSize = segmentSizeOf(segments.get(0).path());
    segments = renumber(segments, segmentSize);
    if (start != null) {
      long first = start.segmentNumber(segmentSize);
      segments = segments.stream().filter(s -> s.number() >= first).toList();
      if (segments.isEmpty() || segments.get(0).number() != first) {
        throw new Failure("no WAL segment file holds --start " + start);
      }
    }
    Lsn streamStart = start != null ? start.pageStart() : Lsn.of(segments.get(0).number() * segmentSize);
    WalDecoder decoder = WalDecoder.startingAt(streamStart, segmentSize);
    if (start != null) decoder.skipRecordsBefore(start);
    long stopAt = end != null ? end.value() : Long.MAX_VALUE;

    PrintWriter out = spec.commandLine().getOut();
    StringBuilder lines = new StringBuilder(1 << 16);
    try {
      long expected = segments.get(0).number();
      for (Segment s : segments) {
        if (s.number() != expected) {
          throw new Failure("WAL segment " + Lsn.segmentFileName(s.timeline(), expected, segmentSize) + " is missing");
        }
        expected++;
        if (!dump(s, segmentSize, decoder, stopAt, out, lines)) break;
      }
    } catch (WalFormatException e) {
      flush(out, lines);
      if (e.kind() == WalFormatException.Kind.END_OF_WAL && end == null) return 0;
      throw new Failure("bad WAL: " + e.getMessage(), e);
    }
    flush(out, lines);
    if (end != null && decoder.fedUpTo().isBefore(end)) {
      throw new Failure("WAL files end at " + decoder.fedUpTo() + ", before --end " + end);
    }
    return 0;
  }

  /** Feeds one segment file; returns false once --end is reached. */
  private boolean dump(Segment s, long segmentSize, WalDecoder decoder, long stopAt, PrintWriter out, StringBuilder lines)
      throws IOException, WalFormatException {
    long fileStart = s.number() * segmentSize;
    try (InputStream in = Files.newInputStream(s.path())) {
      long skip = decoder.fedUpTo().value() - fileStart;
      if (skip < 0) throw new Failure("WAL ends at " + decoder.fedUpTo() + ", before the next file " + s.path());
      in.skipNBytes(skip);
      long at = fileStart + skip;
      while (at < fileStart + segmentSize && at < stopAt) {
        int want = (int) Math.min(CHUNK, Math.min(fileStart + segmentSize, stopAt) - at);
        byte[] chunk = in.readNBytes(want); // a fresh array: the decoder keeps views of it
        if (chunk.length == 0) return true;
        decoder.feed(chunk);
        at += chunk.length;
        for (WalRecord r; (r = decoder.next()) != null; ) {
          format(r, lines);
          if (lines.length() > (1 << 16)) flush(out, lines);
        }
      }
      return at < stopAt;
    }
  }

  static void format(WalRecord r, StringBuilder line) {
    line.append("lsn=").append(Lsn.format(r.lsnValue()))
        .append(" end=").append(Lsn.format(r.endLsnValue()))
        .append(" prev=").append(Lsn.format(r.prev().value()))
        .append(" rmgr=").append(r.rmgrName())
        .append(" info=0x").append(Character.toUpperCase(Character.forDigit(r.rmgrInfo() >> 4, 16))).append('0')
        .append(" xid=").append(Integer.toUnsignedString(r.xid()))
        .append(" len=").append(r.totalLength() - r.fpiLength()).append('/').append(r.totalLength())
        .append(" blks=");
    List<BlockRef> blocks = r.blocks();
    if (blocks.isEmpty()) line.append('-');
    for (int i = 0; i < blocks.size(); i++) {
      if (i > 0) line.append(',');
      line.append(blocks.get(i));
    }
    line.append('\n');
  }

  private static void flush(PrintWriter out, StringBuilder lines) {
    out.print(lines);
    out.flush();
    lines.setLength(0);
  }

  /** Segment files named on the command line, and those inside named directories, in order. */
  private List<Segment> findSegments() throws IOException {
    List<Segment> found = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> listing = Files.list(p)) {
          listing.filter(f -> isSegmentName(f.getFileName().toString()) && Files.isRegularFile(f))
              .forEach(f -> found.add(segment(f)));
        }
      } else if (!Files.isRegularFile(p)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "no such file or directory: " + p);
      } else if (!isSegmentName(p.getFileName().toString())) {
        throw new CommandLine.ParameterException(spec.commandLine(), "not a WAL segment file name: " + p);
      } else {
        found.add(segment(p));
      }
    }
    if (found.isEmpty()) throw new CommandLine.ParameterException(spec.commandLine(), "no WAL segment files in " + paths);
    found.sort(Comparator.comparing((Segment s) -> s.path().getFileName().toString()));
    for (int i = 1; i < found.size(); i++) {
      if (found.get(i).timeline() != found.get(0).timeline()) {
        throw new Failure("WAL files of timelines " + found.get(0).timeline() + " and " + found.get(i).timeline() + " given; pass one timeline");
      }
    }
    return found;
  }

  private static boolean isSegmentName(String name) {
    String base = name.endsWith(".partial") ? name.substring(0, name.length() - 8) : name;
    return base.length() == 24 && base.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
  }

  private static Segment segment(Path f) {
    return new Segment(-1, (int) Long.parseLong(f.getFileName().toString().substring(0, 8), 16), f);
  }

  private static List<Segment> renumber(List<Segment> segments, long segmentSize) {
    return segments.stream()
        .map(s -> new Segment(Lsn.segmentNumberOf(s.path().getFileName().toString(), segmentSize), s.timeline(), s.path()))
        .toList();
  }

  /** The segment size recorded in the long header of a segment's first page. */
  private static long segmentSizeOf(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(WalPageHeader.LONG_SIZE);
    }
    if (head.length < WalPageHeader.LONG_SIZE) throw new Failure("WAL file " + file + " is shorter than a page header");
    WalPageHeader h = WalPageHeader.read(ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN), 0);
    long size = h.segmentSize();
    if (!h.isLong() || h.magic() != WalPageHeader.MAGIC || size < Lsn.WAL_PAGE_SIZE || Long.bitCount(size) != 1) {
      throw new Failure("WAL file " + file + " does not start with a valid long page header");
    }
    return size;
  }
}
