/** One order of a `POST /orders` body, once validated, in domain terms. */
export interface OrderInput {
  /** `record_id`: the order's key, 1 to 128 characters. Posting it again replaces the order. */
  recordId: string;
  /** `parameter_1`, as sent. */
  parameter1: string;
  /** `parameter_2`: a finite number. */
  parameter2: number;
}

/**
 * One thing wrong with a `POST /orders` body: the item (0-based `index`) and `field` it concerns
 * when it concerns one; a problem with the body as a whole (not JSON, not an array, the item
 * count) has neither.
 */
export interface OrderProblem {
  index?: number;
  field?: string;
  message: string;
}

/**
 * A validated body, or why it was refused: `message` names the problems (the first few),
 * `problems` lists the first `MAX_REPORTED_PROBLEMS` of them, `problemCount` counts them all.
 */
export type OrdersValidation =
  | { ok: true; orders: OrderInput[] }
  | { ok: false; message: string; problems: OrderProblem[]; problemCount: number };
