package actors;

/**
 * Marker for messages that cross nodes or go to a journal: bound to Jackson CBOR in
 * application.conf. Java serialization is off, so an unmarked remote message fails loudly.
 */
public interface CborSerializable {}
