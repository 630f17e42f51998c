import {
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type { BusEventInput, BusPublisher } from '../../ports/bus.js';

/** PutEvents limits: entries per call, and bytes per call as EventBridge counts them. */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_PUT_BYTES = 256 * 1024;

/** Per-entry error codes EventBridge documents as retryable; any other code is final. */
const RETRYABLE_CODES = new Set(['InternalFailure', 'ThrottlingException']);

/** What the publisher needs of an `EventBridgeClient` (tests pass a fake). */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

export interface EventBridgePublisherOptions {
  client: PutEventsClient;
  /** The bus's name or ARN. */
  eventBusName: string;
  /** Tries per entry that EventBridge refuses with a retryable code (the first and the retries). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** One event EventBridge did not take, by its position in the `publish` call. */
export interface BusPublishFailure {
  index: number;
  source: string;
  detailType: string;
  errorCode: string;
  errorMessage: string;
}

/** Some events of a `publish` call were not put on the bus; the others were. */
export class BusPublishError extends Error {
  constructor(
    readonly eventBusName: string,
    readonly total: number,
    readonly failures: readonly BusPublishFailure[],
  ) {
    const listed = failures
      .slice(0, 10)
      .map((f) => `#${f.index} (${f.source} / ${f.detailType}) ${f.errorCode}: ${f.errorMessage}`);
    if (failures.length > listed.length) listed.push(`and ${failures.length - listed.length} more`);
    super(
      `EventBridge bus "${eventBusName}" did not accept ${failures.length} of ${total} events: ${listed.join('; ')}`,
    );
    this.name = 'BusPublishError';
  }
}

/**
 * The bus publisher on AWS: EventBridge PutEvents, in calls of at most 10 entries and 256 KB.
 * Entries EventBridge refuses one by one with a retryable code (`InternalFailure`,
 * `ThrottlingException`) are put again (only those), with exponential backoff and jitter; entries still
 * refused after `maxAttempts`, or refused with a final code (`MalformedDetail`, `AccessDenied…`),
 * end the call with a {@link BusPublishError} naming each one's index and code.
 *
 * Delivery is at-least-once, as on the embedded bus: when a call fails part-way (an error, or
 * refused entries), the events already put stay published and a retried `publish` puts them again.
 * An event too large for EventBridge is refused before anything is sent.
 *
 * @example
 * const bus = createEventBridgePublisher({ client: new EventBridgeClient({}), eventBusName: 'tributary-dev' });
 * await bus.publish([{ source: 'tributary.statements', detailType: 'StatementSummarized', detail }]);
 */
export function createEventBridgePublisher(options: EventBridgePublisherOptions): BusPublisher {
  const { client, eventBusName } = options;
  const maxAttempts = options.maxAttempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function put(entries: readonly Pending[]): Promise<(PutEventsResultEntry | undefined)[]> {
    let output: PutEventsCommandOutput;
    try {
      output = await client.send(new PutEventsCommand({ Entries: entries.map((entry) => entry.entry) }));
    } catch (error) {
      throw new Error(
        `EventBridge PutEvents to bus "${eventBusName}" failed for events ${listIndexes(entries)}: ${describeError(error)}`,
        { cause: error },
      );
    }
    return entries.map((_, i) => output.Entries?.[i]);
  }

  return {
    async publish(events) {
      const entries = events.map((event, index) => toEntry(event, index, eventBusName));
      const failures: BusPublishFailure[] = [];
      let pending = entries;
      for (let attempt = 1; pending.length > 0; attempt++) {
        const retry: Pending[] = [];
        for (const chunk of chunks(pending)) {
          const results = await put(chunk);
          chunk.forEach((entry, i) => {
            const result = results[i];
            if (result?.EventId && !result.ErrorCode) return;
            const errorCode = result?.ErrorCode ?? 'MissingResult';
            const errorMessage = result?.ErrorMessage ?? 'EventBridge returned no result for this entry';
            if (RETRYABLE_CODES.has(errorCode) && attempt < maxAttempts) retry.push(entry);
            else failures.push({ ...entry.what, index: entry.index, errorCode, errorMessage });
          });
        }
        pending = retry;
        if (pending.length > 0) await sleep(backoff(attempt));
      }
      if (failures.length > 0) {
        failures.sort((a, b) => a.index - b.index);
        throw new BusPublishError(eventBusName, events.length, failures);
      }
    },
  };
}

interface Pending {
  index: number;
  entry: PutEventsRequestEntry;
  size: number;
  what: { source: string; detailType: string };
}

function toEntry(event: BusEventInput, index: number, eventBusName: string): Pending {
  const detail = JSON.stringify(event.detail ?? {});
  const entry: PutEventsRequestEntry = {
    EventBusName: eventBusName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: detail,
    Resources: event.resources ?? [],
  };
  const size = entrySize(entry);
  if (size > MAX_PUT_BYTES) {
    throw new Error(
      `event #${index} (${event.source} / ${event.detailType}) takes ${size} bytes; EventBridge bus ` +
        `"${eventBusName}" takes at most ${MAX_PUT_BYTES} (256 KB) per event: nothing was published`,
    );
  }
  return { index, entry, size, what: { source: event.source, detailType: event.detailType } };
}

/** An entry's size as EventBridge counts it against the 256 KB limit of a call. */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (text) size += Buffer.byteLength(text, 'utf8');
  }
  return size;
}

function* chunks(entries: readonly Pending[]): Generator<Pending[]> {
  let chunk: Pending[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (chunk.length === MAX_ENTRIES_PER_PUT || (chunk.length > 0 && bytes + entry.size > MAX_PUT_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += entry.size;
  }
  if (chunk.length > 0) yield chunk;
}

/** `#3…#9` for a run of consecutive entries, else `#3, #7`. */
function listIndexes(entries: readonly Pending[]): string {
  const indexes = entries.map((entry) => entry.index);
  const first = indexes[0] ?? 0;
  const last = indexes.at(-1) ?? 0;
  if (indexes.length > 1 && last - first === indexes.length - 1) return `#${first}…#${last}`;
  return indexes.map((index) => `#${index}`).join(', ');
}

/** 100 ms, 200 ms, 400 ms…, each between half and all of it (jitter spreads retrying producers). */
function backoff(attempt: number): number {
  const ceiling = 100 * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
