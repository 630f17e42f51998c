import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSchemaRegistry } from '../../src/core/events/schema-registry.js';
import { breakageArb, eventArb } from './event-arbitraries.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** The events schema (v1, DESIGN.md "events") as the stream consumer applies it to each record. */

const validate = (event: unknown) => defaultSchemaRegistry.validate(JSON.parse(JSON.stringify(event)));

/** The same value with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reversedKeys(item)]),
  );
}

describe('event schema validation (fuzz)', () => {
  it(
    'accepts every valid event with its fields, lowercased IDs and the instant of its Time',
    () => {
      fc.assert(
        fc.property(eventArb, ({ event, ms }) => {
          const result = validate(event);
          const body = event.Event as Record<string, string>;
          expect(result).toEqual({
            ok: true,
            event: {
              id: (event.ID as string).toLowerCase(),
              client: event.Client,
              source: event.Source,
              type: event.Type,
              customerId: body.CustomerID?.toLowerCase(),
              accountId: body.AccountID?.toLowerCase(),
              time: body.Time,
              timeMs: ms,
              schemaVersion: 'v1',
              payload: event,
              fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
            },
          });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'gives an event the same fingerprint whatever its key order and the case of its ID',
    () => {
      fc.assert(
        fc.property(eventArb, fc.boolean(), ({ event }, upper) => {
          const id = event.ID as string;
          const first = validate(event);
          // The ID is lowercased before hashing, so its case does not make another event.
          const second = validate({
            ...(reversedKeys(event) as object),
            ID: upper ? id.toUpperCase() : id.toLowerCase(),
          });
          expect(first.ok && second.ok).toBe(true);
          if (first.ok && second.ok) expect(second.event.fingerprint).toBe(first.event.fingerprint);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'refuses an event with one broken field, with a reason at that field',
    () => {
      fc.assert(
        fc.property(eventArb, breakageArb, ({ event }, breakage) => {
          const broken = JSON.parse(JSON.stringify(event));
          breakage.apply(broken);
          const result = validate(broken);
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.reasons.map((reason) => reason.path)).toContain(breakage.path);
          for (const reason of result.reasons) expect(reason.message).toMatch(/\S/);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never throws on any JSON value, and accepts only records whose fields it can store',
    () => {
      // Valid events with one subtree replaced by arbitrary JSON reach deep; pure JSON covers the rest.
      const nearValid = fc
        .tuple(
          eventArb,
          fc.constantFrom('ID', 'Client', 'Type', 'Event', 'Source', 'SchemaVersion'),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([{ event }, key, value]) => ({ ...event, [key]: value }));
      const anyJson = fc.oneof(
        nearValid,
        fc.json({ maxDepth: 3 }).map((text) => JSON.parse(text)),
      );
      fc.assert(
        fc.property(anyJson, (value) => {
          const result = validate(value);
          if (!result.ok) {
            expect(result.reasons.length).toBeGreaterThan(0);
            for (const reason of result.reasons)
              expect(typeof reason.path === 'string' && reason.message !== '').toBe(true);
            return;
          }
          expect(result.event.id).toMatch(/^[0-9a-f-]{36}$/);
          expect(['monitoring', 'application', 'authorizer']).toContain(result.event.source);
          expect(Number.isFinite(result.event.timeMs)).toBe(true);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it('accepts the max UUID in upper case, as in lower case (found by this fuzzer)', () => {
    const uuid = '7b6a0a52-3c39-4f0e-9a52-2f1f1b7c0e11';
    const event = {
      Source: 'monitoring',
      Client: 'barclays',
      Type: 'check_account',
      Event: { CustomerID: uuid, AccountID: uuid, Time: '2024-05-01T10:00:00Z' },
    };
    for (const id of ['FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 'ffffffff-ffff-ffff-ffff-ffffffffffff']) {
      const result = validate({ ...event, ID: id });
      expect(result.ok && result.event.id).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    }
  });
});
