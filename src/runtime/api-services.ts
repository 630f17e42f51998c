import { randomUUID } from 'node:crypto';
import type { ApiServices, DeadLetter } from '../api/services.js';
import type { Fabric } from './fabric.js';
import type { StoredMessage } from './queue-store.js';
import { runInTrace } from './trace.js';

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
  const deadLetters = async () => {
    const all = await fabric.queues.list();
    const dlqs = new Set(deadLetterQueues());
    return all.filter((message) => dlqs.has(message.queue));
  };
  return {
    adminToken: fabric.adminToken,
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
        const count = await fabric.queues.redrive(ids);
        if (count > 0) onWork();
        return count;
      },
      purge: (queue) => fabric.queues.purge(queue),
    },
    pendingWork: async (traceId) => (await fabric.queues.pending(traceId)).count,
    traceDeadLetters: async (traceId) =>
      (await deadLetters()).filter((message) => message.traceId === traceId).map(toDeadLetter),
    queueNames: () => fabric.queues.queueNames(),
  };
}
