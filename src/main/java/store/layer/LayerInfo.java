package store.layer;

/** What a historic layer is, for listings and the HTTP API. */
public record LayerInfo(String name, LayerKind kind, KeyRange keyRange, long lsnStart, long lsnEnd, long sizeBytes) {
  static LayerInfo of(LayerFile f) {
    LayerName n = f.name();
    return new LayerInfo(n.toString(), n.kind(), n.keys(), n.lsnStart(), n.lsnEnd(), f.sizeBytes());
  }
}
