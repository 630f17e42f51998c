import { auctionTaskHandler } from '../auction-task.js';

/** `auction-summarize` (Task Summarize): counts the Map's outcomes; it reads no variable and no port. */
export const handler = auctionTaskHandler('auction-summarize', {});
