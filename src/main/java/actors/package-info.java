/**
 * Typed actors, one package per role. Each piece of mutable state has exactly one owning actor;
 * others send it messages or read an immutable snapshot it publishes.
 */
package actors;
