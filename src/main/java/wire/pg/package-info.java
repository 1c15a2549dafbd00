/**
 * The PostgreSQL frontend/backend protocol v3 and its replication sub-protocol, pure.
 *
 * <ul>
 *   <li>Messages: {@link wire.pg.FrontendMessage} and {@link wire.pg.BackendMessage} records, each
 *       with {@code encode()}; the untyped startup packets are {@link wire.pg.StartupPacket}.
 *   <li>Framing: {@link wire.pg.PgDecoder} turns arbitrary chunks into messages within
 *       {@link wire.pg.DecoderLimits}; every failure is a {@link wire.pg.ProtocolException} carrying
 *       a {@link wire.pg.ProtocolError} with its SQLSTATE.
 *   <li>Authentication: {@link wire.pg.ServerAuth} and {@link wire.pg.ClientAuth} state machines
 *       over trust, cleartext, MD5 ({@link wire.pg.Md5Auth}) and SCRAM-SHA-256
 *       ({@link wire.pg.ScramClient}, {@link wire.pg.ScramServer}, {@link wire.pg.ScramVerifier}).
 *   <li>Replication: {@link wire.pg.ReplicationCommand#parse} for query strings,
 *       {@link wire.pg.ReplicationMessage} for CopyData payloads, {@link wire.pg.PgTime} for
 *       timestamps, {@link wire.pg.IdentifySystemResult} and {@link wire.pg.ResultSets} for replies.
 * </ul>
 */
package wire.pg;
