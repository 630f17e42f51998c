/** Why a record was rejected: the field (dotted path, `''` for the record itself) and what is wrong. */
export interface Reason {
  path: string;
  message: string;
}

/** An event that passed its schema, in domain terms. */
export interface ValidEvent {
  /** `ID`: a UUID, the idempotency key. */
  id: string;
  client: string;
  source: string;
  type: string;
  customerId: string;
  accountId: string;
  /** `Event.Time` as sent (RFC 3339). */
  time: string;
  /** `Event.Time` as an instant, for sorting and range queries. */
  timeMs: number;
  /** The registry version whose schema accepted it, e.g. `v1`. */
  schemaVersion: string;
  /** The record exactly as parsed from the producer's JSON. */
  payload: Record<string, unknown>;
  /** sha256 of the canonical JSON of `payload` (keys sorted): same ID + same fingerprint = duplicate. */
  fingerprint: string;
}

export type ValidationResult = { ok: true; event: ValidEvent } | { ok: false; reasons: Reason[] };
