import { createDynamoOrdersRepository } from '../../adapters/aws/dynamo-orders-repository.js';
import { createDynamoAlertLog, createSnsNotifier } from '../../adapters/aws/sns-notifier.js';
import { ORDER_RESULTS_BUCKET } from '../../core/auction/auction-steps.js';
import { auctionTaskHandler } from '../auction-task.js';
import { documentClient, snsClient } from '../clients.js';
import { systemClock } from '../clock.js';
import { lambdaEnv } from '../env.js';
import { s3ObjectStore } from '../object-store.js';

/**
 * `auction-notify` (Tasks NotifyRejected, NotifyNoResults, NotifyFailure): publishes the alert to
 * the SNS alerts topic (its subscriptions reach the chat webhook) once per alert id, with the
 * alert log in the orders table, and marks a rejected order, first deleting any result object a
 * StoreResult interrupted before its mark left behind.
 */
const env = lambdaEnv(['ORDERS_TABLE', 'ALERTS_TOPIC_ARN', 'BUCKETS']);

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
  objects: s3ObjectStore(env.BUCKETS, [ORDER_RESULTS_BUCKET]),
});
