import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IncomingEvent } from '../../ports/events-repository.js';
import {
  allocate,
  type FeedLock,
  FeedLockLostError,
  lockFeed,
  punch,
  unlockFeed,
} from './dynamo-events-feed.js';
import { type ClaimItem, type EventsTable, eventItem, keys, type SlotItem } from './dynamo-events-items.js';
import { getMany, isConditionalFailure, keyId, putNew, runAll } from './dynamo-events-requests.js';

/** How one event was judged, with the fingerprint that holds its ID. */
export interface Judgement {
  status: 'stored' | 'duplicate' | 'conflict';
  winner: string;
}

/**
 * Stores events of one client (each ID once; call order is feed order) under the client's feed
 * lock, and judges each: `stored` when this call claimed its ID, `duplicate` when the ID was
 * claimed with the same fingerprint (and then makes sure that claim's event is in the feed),
 * `conflict` otherwise. Throws when some write failed; what was done stays consistent, and the
 * same call again completes it.
 */
export async function storeClientEvents(
  table: EventsTable,
  client: string,
  events: readonly IncomingEvent[],
  now: Date,
): Promise<Judgement[]> {
  const ids = events.map((event) => event.id.toLowerCase());
  const judged: Judgement[] = new Array(events.length);
  const held: number[] = [];
  const judge = (index: number, claim: ClaimItem) => {
    if (claim.fingerprint === events[index]!.fingerprint) held.push(index);
    else judged[index] = { status: 'conflict', winner: claim.fingerprint };
  };
  const claims = await readClaims(table, ids);
  const fresh: number[] = [];
  for (const [index, id] of ids.entries()) {
    const claim = claims.get(id);
    if (claim) judge(index, claim);
    else fresh.push(index);
  }
  if (fresh.length === 0 && held.length === 0) return judged;

  const { lock, first } = await lockFeed(table, client, fresh.length);
  // Slots whose write may or may not have landed: they get holes before anything is published.
  const unsettled: number[] = [];
  const failures = await runAll(fresh, table.concurrency, async (index, k) => {
    const [id, event, seq] = [ids[index]!, events[index]!, first + k];
    try {
      if (!(await putNew(table, { ...keys.claim(id), id, client, fingerprint: event.fingerprint, seq }))) {
        const rival = (await readClaims(table, [id])).get(id);
        if (!rival) throw new Error(`the claim of event ${id} was refused but cannot be read`);
        judge(index, rival);
        return;
      }
      if (!(await putNew(table, eventItem(event, seq, now)))) throw new FeedLockLostError(client);
      judged[index] = { status: 'stored', winner: event.fingerprint };
    } catch (error) {
      if (!(error instanceof FeedLockLostError)) unsettled.push(seq);
      throw error;
    }
  });
  if (failures.length === 0 && held.length > 0) {
    try {
      failures.push(...(await placeHeld(table, lock, events, held, now, unsettled)));
    } catch (error) {
      failures.push(error);
    }
  }
  for (const index of held) judged[index] = { status: 'duplicate', winner: events[index]!.fingerprint };

  // Nothing is published while a slot below the new position might still be written.
  if (unsettled.length > 0) await punch(table, client, unsettled);
  await unlockFeed(table, lock);
  if (failures.length > 0) throw failures[0];
  return judged;
}

/**
 * Makes sure the events whose ID this client already claimed with the same content are in the
 * feed: a claim whose slot holds something else (a hole, put there after its writer died before
 * filling it) moves to a new slot. Returns the failures of the moves.
 */
async function placeHeld(
  table: EventsTable,
  lock: FeedLock,
  events: readonly IncomingEvent[],
  held: readonly number[],
  now: Date,
  unsettled: number[],
): Promise<unknown[]> {
  const { client } = lock;
  const idOf = (index: number) => events[index]!.id.toLowerCase();
  const claims = await readClaims(table, held.map(idOf));
  const seqOf = (index: number) => claims.get(idOf(index))!.seq;
  const slotOf = (index: number) => keys.slot(client, seqOf(index));
  const holds = (index: number, slots: Map<string, SlotItem>) => {
    const slot = slots.get(keyId(slotOf(index)));
    return slot?.kind === 'event' && slot.id === idOf(index);
  };
  const slots = await getMany<SlotItem>(table, held.map(slotOf));
  let lost = held.filter((index) => !holds(index, slots));
  if (lost.length === 0) return [];

  // Under the lock every slot up to what was allocated is final, so an empty one stays empty; a
  // hole makes sure of it before the claim moves. A slot found filled after all is read again.
  const filled = await punch(table, client, lost.map(seqOf));
  if (filled.length > 0) {
    const again = await getMany<SlotItem>(
      table,
      filled.map((seq) => keys.slot(client, seq)),
    );
    lost = lost.filter((index) => !holds(index, again));
    if (lost.length === 0) return [];
  }

  const first = await allocate(table, lock, lost.length);
  return runAll(lost, table.concurrency, async (index, k) => {
    const seq = first + k;
    try {
      await table.client.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.claim(idOf(index)),
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'seq = :was',
          ExpressionAttributeValues: { ':seq': seq, ':was': seqOf(index) },
        }),
      );
      if (!(await putNew(table, eventItem(events[index]!, seq, now)))) throw new FeedLockLostError(client);
    } catch (error) {
      // Only a writer that took the lock over can have moved the claim meanwhile.
      if (isConditionalFailure(error)) throw new FeedLockLostError(client);
      if (!(error instanceof FeedLockLostError)) unsettled.push(seq);
      throw error;
    }
  });
}

async function readClaims(table: EventsTable, ids: readonly string[]): Promise<Map<string, ClaimItem>> {
  const found = await getMany<ClaimItem>(
    table,
    ids.map((id) => keys.claim(id)),
  );
  const claims = new Map<string, ClaimItem>();
  for (const id of ids) {
    const claim = found.get(keyId(keys.claim(id)));
    if (claim) claims.set(id, claim);
  }
  return claims;
}
