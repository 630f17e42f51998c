import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectBatchFormat, type NdjsonLine, ndjsonLines } from './ndjson-lines.js';

const encoder = new TextEncoder();

async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = encoder.encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(
  source: AsyncIterable<Uint8Array | string>,
  maxLineBytes = 1024,
): Promise<NdjsonLine[]> {
  const out: NdjsonLine[] = [];
  for await (const item of ndjsonLines(source, { maxLineBytes })) out.push(item);
  return out;
}

describe('ndjsonLines', () => {
  const text = '\uFEFF{"Client":"zürich-€"}\r\n\n  \r\n{"emoji":"😀😀"}\n{"last":"no line end ✓"}';
  const expected = [
    { line: 1, text: '{"Client":"zürich-€"}' },
    { line: 4, text: '{"emoji":"😀😀"}' },
    { line: 5, text: '{"last":"no line end ✓"}' },
  ];

  it.each([1, 7, 64 * 1024])(
    'gives the same lines with %i-byte chunks, multi-byte characters split anywhere',
    async (size) => {
      expect(await collect(chunked(text, size))).toEqual(expected);
    },
  );

  it('reads string chunks too', async () => {
    async function* characters(): AsyncGenerator<string> {
      yield* [...text];
    }
    expect(await collect(characters())).toEqual(expected);
  });

  it('reports an over-long line by its size, with or without CRLF, and reads on', async () => {
    const input = `${'a'.repeat(11)}\r\n${'b'.repeat(10)}\r\n${'c'.repeat(11)}\n${'d'.repeat(10)}\n${'é'.repeat(6)}`;
    for (const size of [1, 7, 64 * 1024]) {
      expect(await collect(chunked(input, size), 10)).toEqual([
        { line: 1, oversized: true, bytes: 11 },
        { line: 2, text: 'b'.repeat(10) },
        { line: 3, oversized: true, bytes: 11 },
        { line: 4, text: 'd'.repeat(10) },
        { line: 5, oversized: true, bytes: 12 },
      ]);
    }
  });

  it('skips a huge line without holding it', async () => {
    const lineBytes = 64 * 1024 * 1024;
    const chunk = encoder.encode('x'.repeat(64 * 1024));
    let held = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('{"first":1}\n');
      for (let sent = 0; sent < lineBytes; sent += chunk.length) yield chunk;
      yield encoder.encode('\n{"after":2}\n');
    }
    const lines: NdjsonLine[] = [];
    for await (const item of ndjsonLines(source(), { maxLineBytes: 256 * 1024 })) {
      lines.push(item);
      held = Math.max(held, process.memoryUsage().arrayBuffers);
    }
    expect(lines).toEqual([
      { line: 1, text: '{"first":1}' },
      { line: 2, oversized: true, bytes: lineBytes },
      { line: 3, text: '{"after":2}' },
    ]);
    expect(held).toBeLessThan(lineBytes);
  });

  it('yields nothing for an empty or blank input', async () => {
    expect(await collect(chunked('', 1))).toEqual([]);
    expect(await collect(chunked('\n\r\n  \n', 1))).toEqual([]);
  });
});

describe('detectBatchFormat', () => {
  const samples = new URL('../../../../shared/datasets/events/', import.meta.url);

  it('sees the pretty-printed samples as single objects', () => {
    for (const name of ['transaction-1.json', 'transaction-2.json']) {
      expect(detectBatchFormat(readFileSync(new URL(name, samples), 'utf8'))).toBe('object');
    }
  });

  it('sees an array, and NDJSON by a first line that is JSON on its own', () => {
    const sample = JSON.parse(readFileSync(new URL('transaction-1.json', samples), 'utf8'));
    expect(detectBatchFormat(`\n  [${JSON.stringify(sample)}]`)).toBe('array');
    expect(detectBatchFormat(`\uFEFF${JSON.stringify(sample)}\n${JSON.stringify(sample)}\n`)).toBe('ndjson');
    expect(detectBatchFormat(`\r\n${JSON.stringify(sample)}\r\n`)).toBe('ndjson');
    expect(detectBatchFormat('')).toBe('object');
  });
});
