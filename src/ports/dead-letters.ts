/** A message that can never succeed, as it was received. */
export interface DeadLetter {
  /** The message's id in the queue it came from. */
  id: string;
  /** Its body, unchanged, so it can be replayed as it was. */
  body: string;
  /** Its own string attributes, kept where they fit. */
  attributes?: Record<string, string>;
}

/** Why it can never succeed, and where it came from. */
export interface DeadLetterFailure {
  /** The error, e.g. `NonRetriableError: no email known for account "acct-9"`. */
  error: string;
  /** Where it came from: a queue's name or ARN. */
  source: string;
  /** How many times it had been received, when known. */
  receiveCount?: number;
}

/**
 * Dead-letter port: puts a message straight into its dead-letter queue with its reason, as the
 * embedded fabric does with a record whose handler threw `NonRetriableError`. Resolves once the
 * queue has the message (only then may the caller let the original go); rejects otherwise, naming
 * the queue.
 */
export interface DeadLetterSink {
  send(message: DeadLetter, failure: DeadLetterFailure): Promise<void>;
}
