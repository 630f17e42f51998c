import type { TableSpec } from '../src/adapters/aws/tables.js';
import { isStreamTrigger, topology } from '../src/topology.js';

export type { BucketName, FunctionName, StreamName } from '../src/topology.js';
export type QueueName = keyof typeof topology.queues;
export type TableName = TableSpec['name'];

/**
 * Builds one value per entry of a topology section, keyed by the entry's name, so a new entry in
 * `src/topology.ts` gets its resource without any change here.
 */
export function mapEntries<K extends string, V, R>(
  section: Readonly<Record<K, V>>,
  build: (name: K, spec: V) => R,
): Record<K, R> {
  const result = {} as Record<K, R>;
  for (const name of Object.keys(section) as K[]) {
    result[name] = build(name, section[name]);
  }
  return result;
}

/**
 * The queues that are the on-failure destination of a stream consumer, with the function that
 * sends to them: dead-letter queues that no SQS redrive policy points at.
 */
export function streamFailureDestinations(): Map<string, string> {
  const destinations = new Map<string, string>();
  for (const [functionName, spec] of Object.entries(topology.functions)) {
    if (isStreamTrigger(spec.trigger)) destinations.set(spec.trigger.onFailure.queue, functionName);
  }
  return destinations;
}
