package store.layer;

import wire.keyspace.Key;
import wire.keyspace.Value;

/** One stored version: a key's value as of an LSN (the end LSN of the WAL record that produced it). */
public record KeyValue(Key key, long lsn, Value value) {}
