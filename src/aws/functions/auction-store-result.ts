import { createDynamoOrdersRepository } from '../../adapters/aws/dynamo-orders-repository.js';
import { ORDER_RESULTS_BUCKET } from '../../core/auction/auction-steps.js';
import { auctionTaskHandler } from '../auction-task.js';
import { documentClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { s3ObjectStore } from '../object-store.js';

/**
 * `auction-store-result` (Task StoreResult, in the auction's Map): writes an accepted order to
 * bucket order-results and marks it; raises `OrderRejected` for a rejected one.
 */
const env = lambdaEnv(['ORDERS_TABLE', 'BUCKETS']);

export const handler = auctionTaskHandler('auction-store-result', {
  orders: createDynamoOrdersRepository({
    client: documentClient(),
    tableName: env.ORDERS_TABLE,
    clock: systemClock,
  }),
  objects: s3ObjectStore(env.BUCKETS, [ORDER_RESULTS_BUCKET]),
});
