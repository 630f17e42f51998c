import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from './fingerprint.js';

describe('fingerprint', () => {
  const event = { ID: 'a', Event: { Time: 't', Score: [1, { b: 2, a: null }] }, Client: 'monzo' };

  it('writes JSON with keys sorted at every depth and no whitespace', () => {
    expect(canonicalJson(event)).toBe(
      '{"Client":"monzo","Event":{"Score":[1,{"a":null,"b":2}],"Time":"t"},"ID":"a"}',
    );
  });

  it('gives the same fingerprint whatever the key order or layout', () => {
    const texts = [
      '{"ID":"a","Event":{"Time":"t","Score":[1,{"b":2,"a":null}]},"Client":"monzo"}',
      '{\n  "Client": "monzo",\n  "Event": { "Score": [ 1, { "a": null, "b": 2 } ], "Time": "t" },\n  "ID": "a"\n}',
      '{"Event":{"Score":[1.0,{"a":null,"b":2e0}],"Time":"\\u0074"},"ID":"a","Client":"monzo"}',
    ];
    for (const text of texts) expect(fingerprint(JSON.parse(text))).toBe(fingerprint(event));
    expect(fingerprint(event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any value, array order or type', () => {
    const variants = [
      { ...event, ID: 'b' },
      { ...event, Event: { ...event.Event, Score: [{ b: 2, a: null }, 1] } },
      { ...event, Event: { ...event.Event, Score: ['1', { b: 2, a: null }] } },
      { ...event, Event: { ...event.Event, Extra: null } },
      { ...event, Client: 'Monzo' },
    ];
    const prints = new Set([event, ...variants].map(fingerprint));
    expect(prints.size).toBe(variants.length + 1);
  });

  it('does not confuse a key with a value that looks like it', () => {
    expect(fingerprint({ 'a":"b': 'c' })).not.toBe(fingerprint({ a: 'b":"c' }));
    expect(fingerprint([])).not.toBe(fingerprint({}));
  });
});
