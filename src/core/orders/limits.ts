/** Most orders in one `POST /orders` request. */
export const MAX_ORDERS_PER_REQUEST = 1_000;

/**
 * Largest `POST /orders` body: 1 MB read as 1,000,000 bytes (not 1 MiB), so a body the issue's
 * "at most 1 MB" allows under either reading is accepted by neither more nor less than it says.
 * 1,000 orders with 128-character IDs leave over 800 bytes per order for `parameter_1`.
 */
export const MAX_ORDERS_BODY_BYTES = 1_000_000;

/** Longest `record_id`, in characters (Unicode code points, as PostgreSQL's `char_length`). */
export const MAX_RECORD_ID_LENGTH = 128;

/** Problems listed one by one in a refusal; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 100;
