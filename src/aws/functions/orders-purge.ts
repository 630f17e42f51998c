import { createDynamoOrdersRepository } from '../../adapters/aws/dynamo-orders-repository.js';
import { auctionTaskHandler } from '../auction-task.js';
import { documentClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';

/**
 * `orders-purge` (the orders-purge workflow): deletes the expired orders. DynamoDB TTL deletes
 * them too, but lazily (within days): this keeps the table small, and reads hide them meanwhile.
 */
const env = lambdaEnv(['ORDERS_TABLE']);

export const handler = auctionTaskHandler('orders-purge', {
  orders: createDynamoOrdersRepository({
    client: documentClient(),
    tableName: env.ORDERS_TABLE,
    clock: systemClock,
  }),
});
