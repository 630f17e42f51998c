import { createDynamoOrdersRepository } from '../../adapters/aws/dynamo-orders-repository.js';
import type { ServicesFor } from '../../api/services.js';
import { submitOrders } from '../../core/orders/submit-orders.js';
import { apiHandler } from '../api.js';
import { documentClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { functionLogger } from '../lambda.js';

/**
 * `orders-api` (POST /orders, GET /orders, GET /orders/{record_id}): validates and stores orders in
 * DynamoDB with their expiry (ORDER_TTL_HOURS, the table's TTL attribute) and shows them.
 */
const env = lambdaEnv(['ORDERS_TABLE', 'ORDER_TTL_HOURS']);
const orders = createDynamoOrdersRepository({
  client: documentClient(),
  tableName: env.ORDERS_TABLE,
  clock: systemClock,
});

const services: ServicesFor<'orders'> = {
  orders: {
    submit: (input) =>
      submitOrders(input, { repository: orders, clock: systemClock, ttlHours: env.ORDER_TTL_HOURS }),
    get: (recordId) => orders.get(recordId),
    list: (options) => orders.list(options),
  },
};

export const handler = apiHandler(functionLogger('orders-api'), services, ['orders']);
