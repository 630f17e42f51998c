/** Why a record was rejected: the field (dotted path, `''` for the record itself) and what is wrong. */
export interface Reason {
  path: string;
  message: string;
}

/** An event that passed its schema, in domain terms. */
export interface ValidEvent {
  /** `ID`: a UUID, the idempotency key, lowercased so that case cannot make a second event. */
  id: string;
  client: string;
  source: string;
  type: string;
  /** `Event.CustomerID`, lowercased like `id`. */
  customerId: string;
  /** `Event.AccountID`, lowercased like `id`, so queries by account do not depend on case. */
  accountId: string;
  /** `Event.Time` as sent (RFC 3339). */
  time: string;
  /** `Event.Time` as an instant, for sorting and range queries. */
  timeMs: number;
  /** The registry version whose schema accepted it, e.g. `v1`. */
  schemaVersion: string;
  /** The record exactly as parsed from the producer's JSON. */
  payload: Record<string, unknown>;
  /**
   * sha256 of the canonical JSON of `payload` (keys sorted) with `ID` lowercased, as `id` is:
   * same ID + same fingerprint = duplicate.
   */
  fingerprint: string;
}

export type ValidationResult = { ok: true; event: ValidEvent } | { ok: false; reasons: Reason[] };

/** Where a record sat in what the producer sent. */
export interface RecordPosition {
  /** 0-based position among the batch's records (blank NDJSON lines do not count). */
  index: number;
  /** 1-based physical line, for NDJSON only. */
  line?: number;
}

/**
 * What the edge decided about one record, before any schema validation: `ready` records go onto
 * the stream under `partitionKey`; `rejected` ones cannot even be routed and are kept with their
 * reasons. `client`/`eventId` are the record's `Client`/`ID` when it carried them as strings (as
 * sent, so `client` may be the very name a reason complains about).
 */
export type RecordOutcome =
  | { status: 'ready'; value: Record<string, unknown>; partitionKey: string }
  | { status: 'rejected'; reasons: Reason[]; client: string | null; eventId: string | null };

/** One record of a producer's batch, in the order sent. */
export interface BatchRecord extends RecordPosition {
  /** The record's text: the NDJSON line, the object body, or an array element re-serialised. */
  raw: string;
  outcome: RecordOutcome;
}

/** Why a whole request was refused (no record of it is taken). */
export interface BatchError {
  code: 'empty_body' | 'body_too_large' | 'invalid_json' | 'not_object_or_array' | 'too_many_records';
  message: string;
}

export type BatchParseResult = { ok: true; records: BatchRecord[] } | { ok: false; error: BatchError };
