import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fingerprint } from './fingerprint.js';
import {
  createSchemaRegistry,
  defaultSchemaRegistry,
  defineSchemaVersion,
  eventSchemaV1,
  eventsV1,
} from './schema-registry.js';
import type { Reason } from './types.js';
import { eventFields } from './validate-event.js';

const samples = new URL('../../../../shared/datasets/events/', import.meta.url);
const barclays = JSON.parse(readFileSync(new URL('transaction-1.json', samples), 'utf8'));
const monzo = JSON.parse(readFileSync(new URL('transaction-2.json', samples), 'utf8'));

const UUID = '0124e053-3580-7000-a762-0502e4a1022e';

/** The monzo sample with some fields replaced (`undefined` removes one). */
function record(
  top: Record<string, unknown> = {},
  event: Record<string, unknown> = {},
): Record<string, unknown> {
  const value: Record<string, unknown> = { ...structuredClone(monzo), ...top };
  if (!('Event' in top)) value.Event = { ...monzo.Event, ...event };
  for (const target of [value, value.Event as Record<string, unknown>]) {
    for (const [key, field] of Object.entries(target ?? {})) if (field === undefined) delete target[key];
  }
  return value;
}

function reasonsOf(value: unknown, registry = defaultSchemaRegistry): Reason[] {
  const result = registry.validate(value);
  if (result.ok) throw new Error('expected the record to be rejected');
  return result.reasons;
}

describe('defaultSchemaRegistry', () => {
  it('accepts both samples as v1 events of their clients', () => {
    const one = defaultSchemaRegistry.validate(barclays);
    const two = defaultSchemaRegistry.validate(monzo);
    expect(one).toEqual({
      ok: true,
      event: {
        id: '0124e053-3580-7000-b158-3401dd4f2d37',
        client: 'barclays',
        source: 'application',
        type: 'transaction',
        customerId: UUID,
        accountId: UUID,
        time: '2009-11-10T23:00:00Z',
        timeMs: Date.UTC(2009, 10, 10, 23),
        schemaVersion: 'v1',
        payload: barclays,
        fingerprint: fingerprint(barclays),
      },
    });
    expect(two.ok && two.event.client).toBe('monzo');
  });

  it('lowercases the ID, so that a resend in upper case is the same event', () => {
    const upper = record({ ID: monzo.ID.toUpperCase() });
    const result = defaultSchemaRegistry.validate(upper);
    const original = defaultSchemaRegistry.validate(monzo);
    expect(result.ok && result.event.id).toBe(monzo.ID);
    expect(result.ok && result.event.payload.ID).toBe(monzo.ID.toUpperCase());
    expect(result.ok && original.ok && result.event.fingerprint === original.event.fingerprint).toBe(true);
  });

  it('accepts a check_account without TransactionID or FraudScore, and a fraud_detection with a score', () => {
    const check = record({ Type: 'check_account' }, { TransactionID: undefined });
    const fraud = record({ Type: 'fraud_detection', Source: 'authorizer' }, { FraudScore: 99.5 });
    expect(defaultSchemaRegistry.validate(check).ok).toBe(true);
    expect(defaultSchemaRegistry.validate(fraud).ok).toBe(true);
  });

  it('names the field of an unknown Type', () => {
    expect(reasonsOf(record({ Type: 'foo' }))).toEqual([
      {
        path: 'Type',
        message: 'unknown type "foo"; expected one of transaction, fraud_detection, check_account',
      },
    ]);
  });

  it('names the field of an unknown Source', () => {
    expect(reasonsOf(record({ Source: 'x' }))).toEqual([
      { path: 'Source', message: 'unknown source "x"; expected one of monitoring, application, authorizer' },
    ]);
  });

  it('names a malformed UUID, echoing at most ~80 characters of it', () => {
    expect(reasonsOf(record({ ID: 'abc' }))).toEqual([{ path: 'ID', message: 'must be a UUID, got "abc"' }]);
    const [reason] = reasonsOf(record({}, { AccountID: 'x'.repeat(500) }));
    expect(reason?.path).toBe('Event.AccountID');
    expect(reason?.message).toBe(`must be a UUID, got "${'x'.repeat(80)}…"`);
  });

  it('requires FraudScore for a fraud_detection, and keeps it within 0 to 100', () => {
    expect(reasonsOf(record({ Type: 'fraud_detection' }))).toEqual([
      { path: 'Event.FraudScore', message: 'required for Type "fraud_detection"' },
    ]);
    expect(reasonsOf(record({}, { FraudScore: 101 }))).toEqual([
      { path: 'Event.FraudScore', message: 'must be from 0 to 100, got 101' },
    ]);
    expect(reasonsOf(record({}, { FraudScore: '20' }))).toEqual([
      { path: 'Event.FraudScore', message: 'must be a number, got "20"' },
    ]);
  });

  it('requires TransactionID for a transaction', () => {
    expect(reasonsOf(record({}, { TransactionID: undefined }))).toEqual([
      { path: 'Event.TransactionID', message: 'required for Type "transaction"' },
    ]);
  });

  it.each([
    ['2023-02-30T00:00:00Z', 'not a calendar date'],
    ['2009-11-10T25:00:00Z', 'not a time of day'],
    ['2009-11-10T23:00:00', 'must be an RFC 3339 date-time with a time zone'],
    ['2009-11-10 23:00:00', 'must be an RFC 3339 date-time with a time zone'],
    [1257894000000, 'must be a string, got 1257894000000'],
  ])('rejects the Time %j', (time, message) => {
    const [reason, ...others] = reasonsOf(record({}, { Time: time }));
    expect(others).toEqual([]);
    expect(reason?.path).toBe('Event.Time');
    expect(reason?.message).toContain(message);
  });

  it('reads Time with an offset and fractional seconds as an instant', () => {
    const result = defaultSchemaRegistry.validate(record({}, { Time: '2009-11-11T00:30:00.250+01:00' }));
    expect(result.ok && result.event.timeMs).toBe(Date.UTC(2009, 10, 10, 23, 30, 0, 250));
    expect(result.ok && result.event.time).toBe('2009-11-11T00:30:00.250+01:00');
  });

  it('requires Event', () => {
    expect(reasonsOf(record({ Event: undefined }))).toEqual([{ path: 'Event', message: 'required' }]);
    expect(reasonsOf(record({ Event: [] }))).toEqual([
      { path: 'Event', message: 'must be an object, got an array' },
    ]);
  });

  it('rejects a record that is not an object', () => {
    expect(reasonsOf([monzo])).toEqual([
      { path: '', message: 'a record must be a JSON object, got an array' },
    ]);
    expect(reasonsOf('monzo')).toEqual([
      { path: '', message: 'a record must be a JSON object, got "monzo"' },
    ]);
    expect(reasonsOf(null)).toEqual([{ path: '', message: 'a record must be a JSON object, got null' }]);
  });

  it('rejects unknown fields one by one, guessing the field meant', () => {
    const { Client, ...rest } = monzo;
    const typo = { ...rest, Cleint: Client, Extra: 1, Event: { ...monzo.Event, fraudscore: 3 } };
    expect(reasonsOf(typo)).toEqual([
      { path: 'Client', message: 'required' },
      { path: 'Event.fraudscore', message: 'unknown field; did you mean "FraudScore"?' },
      { path: 'Cleint', message: 'unknown field; did you mean "Client"?' },
      {
        path: 'Extra',
        message: 'unknown field; expected one of ID, Source, Client, Type, SchemaVersion, Event',
      },
    ]);
  });

  it('reports every problem of a record at once, the Event too when the Type is unknown', () => {
    const bad = {
      ID: 'abc',
      Source: 'x',
      Client: 'no spaces',
      Type: 'foo',
      Event: { AccountID: UUID, Time: 'now' },
    };
    expect(reasonsOf(bad)).toEqual([
      { path: 'ID', message: 'must be a UUID, got "abc"' },
      { path: 'Source', message: 'unknown source "x"; expected one of monitoring, application, authorizer' },
      {
        path: 'Client',
        message:
          'must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got "no spaces"',
      },
      {
        path: 'Type',
        message: 'unknown type "foo"; expected one of transaction, fraud_detection, check_account',
      },
      { path: 'Event.CustomerID', message: 'required' },
      { path: 'Event.Time', message: expect.stringContaining('must be an RFC 3339 date-time') },
    ]);
  });
});

describe('createSchemaRegistry', () => {
  const refund = eventSchemaV1.extend({ RefundID: eventFields.uuid({ requiredFor: 'refund' }) });
  const v2 = defineSchemaVersion({ ...eventsV1, version: 'v2', types: { ...eventsV1.types, refund } });
  const registry = createSchemaRegistry([eventsV1, v2]);
  const aRefund = record({ Type: 'refund' }, { RefundID: UUID });

  it('validates records that name no version against the newest, where a new type is known', () => {
    expect(registry.latest).toBe('v2');
    const result = registry.validate(aRefund);
    expect(result.ok && result.event.schemaVersion).toBe('v2');
    expect(result.ok && result.event.type).toBe('refund');
    expect(registry.validate(monzo)).toMatchObject({ ok: true, event: { schemaVersion: 'v2' } });
    expect(reasonsOf(record({ Type: 'refund' }), registry)).toEqual([
      { path: 'Event.RefundID', message: 'required for Type "refund"' },
    ]);
  });

  it('validates against the version a record names, and names an unknown one', () => {
    expect(reasonsOf({ ...aRefund, SchemaVersion: 'v1' }, registry)).toEqual([
      {
        path: 'Type',
        message: 'unknown type "refund"; expected one of transaction, fraud_detection, check_account',
      },
      {
        path: 'Event.RefundID',
        message: 'unknown field; expected one of CustomerID, AccountID, Time, TransactionID, FraudScore',
      },
    ]);
    expect(registry.validate({ ...monzo, SchemaVersion: 'v1' })).toMatchObject({
      ok: true,
      event: { schemaVersion: 'v1' },
    });
    expect(reasonsOf({ ...monzo, SchemaVersion: 'v9' }, registry)).toEqual([
      { path: 'SchemaVersion', message: 'unknown schema version "v9"; expected one of v1, v2' },
    ]);
  });

  it('refuses a definition that cannot work', () => {
    expect(() => createSchemaRegistry([])).toThrow(/at least one version/);
    expect(() => createSchemaRegistry([eventsV1, eventsV1])).toThrow(/defined twice/);
    expect(() =>
      defineSchemaVersion({
        version: 'v3',
        sources: ['a'],
        types: { t: z.strictObject({ Time: z.string() }) },
      }),
    ).toThrow(/lacks CustomerID, AccountID/);
  });
});
