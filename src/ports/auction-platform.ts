/** An order as the auction platform is asked about it. */
export interface AuctionOrder {
  record_id: string;
  parameter_1: string;
  parameter_2: number;
}

/** The platform's verdict on one order. */
export interface AuctionOrderResult {
  record_id: string;
  status: 'accepted' | 'rejected';
  /** Power awarded (accepted orders); the platform's unit. */
  power: number;
}

/** Not ready yet (ask again later), or one result per order it decided. */
export type AuctionResults = { results: false } | { results: true; orders: AuctionOrderResult[] };

/**
 * The energy-auction platform (a port): a simulated one by default, an HTTP one when
 * `AUCTION_PLATFORM=http`. Throws {@link AuctionPlatformUnavailableError} for failures worth
 * retrying (timeouts, 5xx): the state machine's Retry handles them.
 */
export interface AuctionPlatform {
  fetchResults(
    orders: readonly AuctionOrder[],
    context: { executionId: string; attempt: number },
  ): Promise<AuctionResults>;
}

/** The platform could not answer (timeout, connection refused, 5xx). Its name is the ASL error. */
export class AuctionPlatformUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Platform.Unavailable';
  }
}

/** The platform answered something that is not the agreed shape: retrying will not help. */
export class AuctionPlatformResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Platform.BadResponse';
  }
}
