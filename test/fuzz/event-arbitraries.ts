import fc from 'fast-check';
import { CLIENT_NAME_PATTERN } from '../../src/core/events/validate-event.js';
import { pad } from './csv.js';

/**
 * Valid v1 events (DESIGN.md "events") as a producer may write them, with the instant their
 * `Time` stands for computed independently of the product; and ways to break one field of one.
 */

/** A UUID of any RFC 9562 version, nil or max, in any case. */
export const uuidArb = fc.oneof(
  { weight: 8, arbitrary: fc.mixedCase(fc.uuid()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      'FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF',
    ),
  },
);

/** An RFC 3339 date-time with a zone, and its instant in epoch milliseconds. */
export const timeArb = fc
  .record({
    instant: fc.date({
      min: new Date('0001-01-02T00:00:00Z'),
      max: new Date('9999-12-30T23:59:59.999Z'),
      noInvalidDate: true,
    }),
    offsetMinutes: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    digits: fc.integer({ min: 0, max: 9 }),
    extra: fc.stringMatching(/^\d{6}$/),
    zulu: fc.constantFrom('Z', 'z', '+00:00', '-00:00'),
    lowerT: fc.boolean(),
  })
  .map(({ instant, offsetMinutes, digits, extra, zulu, lowerT }) => {
    const ms = instant.getTime();
    const millis = ((ms % 1000) + 1000) % 1000;
    const fraction = `${pad(millis, 3)}${extra}`.slice(0, digits);
    const kept = Number(fraction.slice(0, 3).padEnd(3, '0'));
    const expected = ms - millis + kept;
    const local = new Date(expected + offsetMinutes * 60_000).toISOString().slice(0, 19);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const zone =
      offsetMinutes === 0
        ? zulu
        : `${sign}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
    const text = `${lowerT ? local.replace('T', 't') : local}${digits > 0 ? `.${fraction}` : ''}${zone}`;
    return { text, ms: expected };
  });

/** A client name as `CLIENT_NAME_PATTERN` allows it. */
export const clientArb = fc.stringMatching(CLIENT_NAME_PATTERN);

const TYPES = ['transaction', 'fraud_detection', 'check_account'] as const;
const scoreArb = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true }));

/** A valid event, with the instant of its `Time`. */
export const eventArb = fc
  .record({
    ID: uuidArb,
    Source: fc.constantFrom('monitoring', 'application', 'authorizer'),
    Client: clientArb,
    Type: fc.constantFrom(...TYPES),
    customer: uuidArb,
    account: uuidArb,
    time: timeArb,
    transactionId: fc.option(uuidArb, { nil: undefined }),
    fraudScore: fc.option(scoreArb, { nil: undefined }),
    schemaVersion: fc.boolean(),
  })
  .map(({ customer, account, time, transactionId, fraudScore, schemaVersion, ...envelope }) => {
    const Event: Record<string, unknown> = { CustomerID: customer, AccountID: account, Time: time.text };
    const needsId = envelope.Type === 'transaction';
    const needsScore = envelope.Type === 'fraud_detection';
    if (transactionId !== undefined || needsId) Event.TransactionID = transactionId ?? customer;
    // -0 is a valid score but JSON writes it as 0: keep the event equal to its own round trip.
    if (fraudScore !== undefined || needsScore) Event.FraudScore = (fraudScore ?? 50) || 0;
    const event: Record<string, unknown> = { ...envelope, Event };
    if (schemaVersion) event.SchemaVersion = 'v1';
    return { event, ms: time.ms };
  });

/** One way to break a valid event: the change, and the path its reason must name. */
export interface Breakage {
  path: string;
  apply: (event: Record<string, unknown>) => void;
}

const remove = (path: string): Breakage => ({
  path,
  apply: (event) => {
    const [head, tail] = path.split('.') as [string, string | undefined];
    if (tail === undefined) delete event[head];
    else delete (event[head] as Record<string, unknown>)[tail];
  },
});
const set = (path: string, value: unknown): Breakage => ({
  path,
  apply: (event) => {
    const [head, tail] = path.split('.') as [string, string | undefined];
    const target = tail === undefined ? event : (event[head] as Record<string, unknown>);
    // Defined, not assigned, so that a `__proto__` key is an own field as JSON.parse makes it.
    Object.defineProperty(target, tail ?? head, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  },
});
/** A type whose required field the event lacks. */
const needs = (type: string, field: string): Breakage => ({
  path: `Event.${field}`,
  apply: (event) => {
    event.Type = type;
    delete (event.Event as Record<string, unknown>)[field];
  },
});

const badUuid = fc.oneof(
  fc.uuid().map((id) => id.replace(/[0-9a-f]$/, 'g')),
  fc.uuid().map((id) => id.replaceAll('-', '')),
  fc.uuid().map((id) => `{${id}}`),
  fc.uuid().map((id) => id.replace(/^(.{14})./, '$10')),
  fc.uuid().map((id) => id.replace(/^(.{19})./, '$1c')),
  fc.constantFrom('', 42, null, true, ['x'], {}),
);
const badTime = fc.constantFrom(
  '2024-02-30T10:00:00Z',
  '2023-02-29T10:00:00Z',
  '2024-05-01T10:00:00',
  '2024-05-01 10:00:00Z',
  '2024-05-01T24:00:00Z',
  '2024-05-01T10:60:00Z',
  '2024-05-01T23:59:60Z',
  '2024-05-01T10:00:00+24:00',
  '2024-05-01T10:00:00+05:60',
  '2024-05-01',
  '1714557600000',
  1714557600000,
  null,
);

/** A mutation of a valid event that a correct validator must refuse, naming `path`. */
export const breakageArb: fc.Arbitrary<Breakage> = fc.oneof(
  fc
    .constantFrom(
      'ID',
      'Source',
      'Client',
      'Type',
      'Event',
      'Event.CustomerID',
      'Event.AccountID',
      'Event.Time',
    )
    .map(remove),
  fc
    .constantFrom('ID', 'Event.CustomerID', 'Event.AccountID', 'Event.TransactionID')
    .chain((path) => badUuid.map((value) => set(path, value))),
  badTime.map((value) => set('Event.Time', value)),
  fc
    .constantFrom(-1, -0.001, 100.01, 101, 1e300, '50', null, true)
    .map((value) => set('Event.FraudScore', value)),
  fc.constantFrom('web', 'Monitoring', '', 7).map((value) => set('Source', value)),
  fc.constantFrom('refund', 'Transaction', '', null).map((value) => set('Type', value)),
  fc
    .constantFrom('', '-leading', 'has space', 'a/b', 'x'.repeat(129), 'ünï', 5, null)
    .map((value) => set('Client', value)),
  fc.constantFrom('v0', 'V1', '', 1, null).map((value) => set('SchemaVersion', value)),
  fc
    .constantFrom('[]', 'text', 'null')
    .map((value) => set('Event', JSON.parse(value === 'text' ? '"text"' : value))),
  fc.constantFrom('Cleint', 'id', 'Extra', 'event', '__proto__').map((key) => set(key, 'x')),
  fc.constantFrom('Fraudscore', 'TransactionId', 'Amount', 'customerID').map((key) => set(`Event.${key}`, 1)),
  fc.constantFrom(needs('transaction', 'TransactionID'), needs('fraud_detection', 'FraudScore')),
);
