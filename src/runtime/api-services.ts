import { randomUUID } from 'node:crypto';
import type { ApiServices, DeadLetter } from '../api/services.js';
import { registerClient } from '../core/access/client-tokens.js';
import { acceptEventRecords } from '../core/events/accept-events.js';
import { submitOrders } from '../core/orders/submit-orders.js';
import type { StreamName } from '../topology.js';
import type { Fabric } from './fabric.js';
import type { StoredMessage } from './queue-store.js';
import { replayStreamFailures } from './stream-failures.js';
import { runInTrace } from './trace.js';
import type { ExecutionSummary } from './workflow-types.js';

const toDeadLetter = (message: StoredMessage): DeadLetter => ({
  messageId: message.messageId,
  queue: message.queue,
  sourceQueue: message.sourceQueue,
  receiveCount: message.receiveCount,
  sentAt: message.sentAt,
  lastError: message.lastError,
  body: message.body,
});

/** The API's view of a fabric. `onWork` is called when new work was queued. */
export function apiServices(fabric: Fabric, onWork: () => void = () => {}): ApiServices {
  const deadLetterQueues = () => fabric.queues.deadLetterQueues();
  // Read per DLQ: a backlog in a work queue must not push dead letters out of the list.
  const deadLetters = async () =>
    (await Promise.all(deadLetterQueues().map((queue) => fabric.queues.list(queue)))).flat();
  return {
    auth: { adminToken: fabric.adminToken, clients: fabric.clients },
    objects: fabric.objects,
    async putObject(input) {
      const traceId = randomUUID();
      const info = await runInTrace(traceId, () => fabric.objects.put(input));
      onWork();
      return { info, traceId };
    },
    statements: fabric.statements,
    outbox: fabric.outbox,
    deadLetters: {
      list: async () => (await deadLetters()).map(toDeadLetter),
      async replay(ids) {
        // Stream failures go back onto their stream; queue messages back to their queue.
        const count = (await replayStreamFailures(fabric, ids)) + (await fabric.queues.redrive(ids));
        if (count > 0) onWork();
        return count;
      },
      purge: (queue) => fabric.queues.purge(queue),
    },
    pendingWork: async (traceId) => (await fabric.dispatcher.pending(traceId)).count,
    traceDeadLetters: async (traceId) =>
      (await deadLetters()).filter((message) => message.traceId === traceId).map(toDeadLetter),
    queueNames: () => fabric.queues.queueNames(),
    streams: () => fabric.streams.describe(),
    auction: {
      start: () => fabric.workflows.start('auction', fabric.auctionInput),
      list: async (limit) =>
        (await fabric.workflows.list({ stateMachine: 'auction', limit })).map((e) => toExecution(e)),
      async get(id) {
        const execution = await fabric.workflows.get(id);
        return execution && execution.stateMachine === 'auction' ? toExecution(execution) : undefined;
      },
      history: async (id) =>
        (await fabric.workflows.history(id)).map(({ seq, at, retryAttempt: _retry, ...event }) => ({
          sequence: seq,
          timestamp: at,
          ...event,
        })),
    },
    alerts: { list: () => fabric.alerts.list() },
    clock: fabric.clock,
    loader: fabric.loader,
    loaderRules: fabric.loaderRules,
    events: {
      async accept(records) {
        const results = await acceptEventRecords(records, {
          stream: fabric.streams,
          streamName: EVENTS_STREAM,
          recordRejected: async (rejected) => {
            await fabric.events.store([], rejected);
          },
        });
        if (results.some((r) => r.status === 'accepted')) onWork();
        return results;
      },
      feed: (client, options) => fabric.events.feed(client, options),
      query: (client, query) => fabric.events.query(client, query),
      listRejected: (options) => fabric.events.listRejected(options),
      poll: (client, name, options) => fabric.events.poll(client, name, options),
      ack: (client, name, cursor) => fabric.events.ack(client, name, cursor),
      getConsumer: (client, name) => fabric.events.getConsumer(client, name),
    },
    orders: {
      submit: (orders) =>
        submitOrders(orders, {
          repository: fabric.orders,
          clock: fabric.clock,
          ttlHours: fabric.orderTtlHours,
        }),
      get: (recordId) => fabric.orders.get(recordId),
      list: (options) => fabric.orders.list(options),
    },
    clients: {
      add: (name, options) => registerClient(fabric.clients, name, options),
      listClients: () => fabric.clients.listClients(),
    },
  };
}

function toExecution(execution: ExecutionSummary & { input?: unknown; output?: unknown }) {
  const { id, name: _name, trigger: _trigger, schedule: _schedule, ...rest } = execution;
  return { executionId: id, ...rest, input: execution.input, output: execution.output ?? undefined };
}

/** The stream `POST /events` writes to (topology `streams.events`). */
const EVENTS_STREAM: StreamName = 'events';
