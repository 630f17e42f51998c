import { HTTPException } from 'hono/http-exception';
import type { DeadLetter } from '../../api/services.js';
import type { StreamDescription } from '../../ports/stream.js';
import { isQueueTrigger, isStreamTrigger, type QueueSpec, type Topology } from '../../topology-types.js';
import type { DashboardServices, QueueDepth } from '../services.js';

/** A topology queue as the Queues pages show it: its settings, its counts and how it is wired. */
export interface QueueView {
  name: string;
  spec: QueueSpec;
  depth: QueueDepth;
  /** A dead-letter queue holds what failed elsewhere: it can be replayed and purged here. */
  deadLetter: boolean;
  /** For a DLQ: where its messages come from (queues, or `stream events` for a stream consumer). */
  sources: string[];
  /** Functions that consume the queue, with their batch size. */
  consumers: { name: string; batchSize: number }[];
  /** Bus rules that send to the queue. */
  rules: string[];
}

const NO_DEPTH: QueueDepth = { visible: 0, inFlight: 0, delayed: 0 };

/** Every topology queue, in declaration order, with its depth and wiring. */
export function queueViews(topology: Topology, depths: Record<string, QueueDepth>): QueueView[] {
  const functions = Object.entries(topology.functions);
  return Object.entries(topology.queues).map(([name, spec]) => {
    const fromQueues = Object.entries(topology.queues)
      .filter(([, other]) => other.deadLetter?.queue === name)
      .map(([source]) => source);
    const fromStreams = functions.flatMap(([fn, f]) =>
      isStreamTrigger(f.trigger) && f.trigger.onFailure.queue === name
        ? [`stream ${f.trigger.stream} (${fn})`]
        : [],
    );
    return {
      name,
      spec,
      depth: depths[name] ?? NO_DEPTH,
      deadLetter: fromQueues.length + fromStreams.length > 0,
      sources: [...fromQueues, ...fromStreams],
      consumers: functions.flatMap(([fn, f]) =>
        isQueueTrigger(f.trigger) && f.trigger.queue === name
          ? [{ name: fn, batchSize: f.trigger.batchSize }]
          : [],
      ),
      rules: Object.entries(topology.rules)
        .filter(([, rule]) => rule.target.queue === name)
        .map(([rule]) => rule),
    };
  });
}

/** What the Queues pages show. Messages in work queues are not listed: they move fast. */
export interface QueuesData {
  now: Date;
  queues: QueueView[];
  streams: StreamDescription[];
  deadLetters: DeadLetter[];
}

export async function loadQueues(services: DashboardServices): Promise<QueuesData> {
  const [depths, streams, deadLetters] = await Promise.all([
    services.queueDepths(),
    services.api.streams(),
    services.api.deadLetters.list(),
  ]);
  return {
    now: services.api.clock.now(),
    queues: queueViews(services.topology, depths),
    streams,
    deadLetters,
  };
}

/** The queue named in a path, or a 404 that lists the queues there are. */
export function findQueue(queues: readonly QueueView[], name: string): QueueView {
  const queue = queues.find((q) => q.name === name);
  if (!queue) {
    throw new HTTPException(404, {
      message: `No queue "${name}". The queues are: ${queues.map((q) => q.name).join(', ')}.`,
    });
  }
  return queue;
}

/** The queue named in a path when it is a dead-letter queue; actions on work queues are refused. */
export function findDeadLetterQueue(queues: readonly QueueView[], name: string, action: string): QueueView {
  const queue = findQueue(queues, name);
  if (!queue.deadLetter) {
    const dlqs = queues.filter((q) => q.deadLetter).map((q) => q.name);
    throw new HTTPException(400, {
      message: `"${name}" is a work queue, not a dead-letter queue: only dead-letter queues can be ${action} here (${dlqs.join(', ')}).`,
    });
  }
  return queue;
}

/** `1 message`, `3 messages`. */
export const messages = (n: number): string => `${n} message${n === 1 ? '' : 's'}`;

/** The first characters of a message id: enough to tell messages apart on a page. */
export const shortId = (id: string): string => id.slice(0, 8);
