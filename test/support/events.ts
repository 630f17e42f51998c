import { readFileSync } from 'node:fs';
import { datasets } from './cli.js';

/** A valid UUID (version 4 shape) for a number: tests get readable, distinct, stable IDs. */
export function uuid(n: number, prefix = '00000000'): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export interface EventFields {
  id?: string;
  client?: string;
  source?: string;
  type?: string;
  account?: string;
  customer?: string;
  time?: string;
  transactionId?: string;
  fraudScore?: number;
}

let counter = 0;

/** A valid `transaction` event unless told otherwise. */
export function makeEvent(fields: EventFields = {}): Record<string, unknown> {
  counter++;
  const type = fields.type ?? 'transaction';
  return {
    ID: fields.id ?? uuid(counter, 'e0000000'),
    Source: fields.source ?? 'application',
    Client: fields.client ?? 'barclays',
    Type: type,
    Event: {
      CustomerID: fields.customer ?? uuid(1, 'c0000000'),
      AccountID: fields.account ?? uuid(1, 'a0000000'),
      Time: fields.time ?? '2024-05-01T10:00:00Z',
      ...(type === 'transaction' || fields.transactionId
        ? { TransactionID: fields.transactionId ?? uuid(counter, 'f0000000') }
        : {}),
      ...(type === 'fraud_detection' || fields.fraudScore !== undefined
        ? { FraudScore: fields.fraudScore ?? 50 }
        : {}),
    },
  };
}

/** The two sample events from the field. */
export const sampleEvents = ['transaction-1.json', 'transaction-2.json'].map((name) => ({
  name,
  text: readFileSync(`${datasets}events/${name}`, 'utf8'),
}));

export const ndjson = (records: readonly unknown[]) =>
  `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
