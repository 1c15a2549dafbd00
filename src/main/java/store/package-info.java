/**
 * Bytes at rest, on disk and in object storage. Blocking, no actors; safe to call from one owner
 * at a time. Every durable file has a magic, a version and a CRC-32C and is replaced atomically.
 */
package store;
