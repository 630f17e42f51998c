import { createDynamoOrdersRepository } from '../../adapters/aws/dynamo-orders-repository.js';
import { createHttpAuctionPlatform } from '../../adapters/http/http-auction-platform.js';
import { capPendingForStepFunctions } from '../auction-batch.js';
import { auctionTaskHandler } from '../auction-task.js';
import { documentClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';

/**
 * `auction-fetch-results` (Task FetchResults of the auction): asks the auction platform about the
 * pending orders, at most AUCTION_BATCH_LIMIT of them per execution (see auction-batch.ts).
 */
const env = lambdaEnv(['ORDERS_TABLE', 'AUCTION_PLATFORM', 'AUCTION_URL', 'AUCTION_BATCH_LIMIT']);

export const handler = auctionTaskHandler('auction-fetch-results', {
  orders: capPendingForStepFunctions(
    createDynamoOrdersRepository({
      client: documentClient(),
      tableName: env.ORDERS_TABLE,
      clock: systemClock,
    }),
    env.AUCTION_BATCH_LIMIT,
  ),
  platform: createHttpAuctionPlatform({ url: env.AUCTION_URL }),
});
