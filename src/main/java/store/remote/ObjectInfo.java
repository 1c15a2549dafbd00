package store.remote;

/** One listed object: its full key, size in bytes and ETag (quotes removed). */
public record ObjectInfo(String key, long size, String etag) {}
