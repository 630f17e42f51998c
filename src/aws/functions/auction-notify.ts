import { createDynamoOrdersRepository } from '../../adapters/aws/dynamo-orders-repository.js';
import { createDynamoAlertLog, createSnsNotifier } from '../../adapters/aws/sns-notifier.js';
import { auctionTaskHandler } from '../auction-task.js';
import { documentClient, snsClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';

/**
 * `auction-notify` (Tasks NotifyRejected, NotifyNoResults, NotifyFailure): publishes the alert to
 * the SNS alerts topic (its subscriptions reach the chat webhook) once per alert id, with the
 * alert log in the orders table, and marks a rejected order.
 */
const env = lambdaEnv(['ORDERS_TABLE', 'ALERTS_TOPIC_ARN']);

export const handler = auctionTaskHandler('auction-notify', {
  orders: createDynamoOrdersRepository({
    client: documentClient(),
    tableName: env.ORDERS_TABLE,
    clock: systemClock,
  }),
  notifier: createSnsNotifier({
    client: snsClient(),
    topicArn: env.ALERTS_TOPIC_ARN,
    seen: createDynamoAlertLog({ client: documentClient(), tableName: env.ORDERS_TABLE }),
    clock: systemClock,
  }),
});
