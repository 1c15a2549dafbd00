package actors.proposer;

/** The acknowledgement a stream feeding an actor waits for before it sends the next element. */
enum StreamAck { INSTANCE }
