/**
 * Formats and protocols, pure: records and static encode/decode functions over bytes. No actors,
 * no threads, no files. Each format is specified once, in one file.
 */
package wire;
