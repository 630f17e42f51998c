import { describe, expect, it } from 'vitest';
import { limitedBody } from './streamed-body.js';

class TooLarge extends Error {}
const tooLarge = () => new TooLarge('too large');

/** A request whose body arrives in these chunks, without a length (chunked). */
function chunked(chunks: string[]): Request {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Request('http://x/upload', { method: 'PUT', body, duplex: 'half' } as RequestInit);
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of body) text += Buffer.from(chunk).toString();
  return text;
}

describe('limitedBody', () => {
  it('streams a chunked body up to the limit, chunk by chunk', async () => {
    const seen: string[] = [];
    for await (const chunk of limitedBody(chunked(['ab', 'cd', 'e']), 5, tooLarge)) {
      seen.push(Buffer.from(chunk).toString());
    }
    expect(seen).toEqual(['ab', 'cd', 'e']);
  });

  it('throws once a chunked body passes the limit, after handing on what fitted', async () => {
    const seen: string[] = [];
    const read = async () => {
      for await (const chunk of limitedBody(chunked(['ab', 'cd', 'ef']), 5, tooLarge)) {
        seen.push(Buffer.from(chunk).toString());
      }
    };
    await expect(read()).rejects.toBeInstanceOf(TooLarge);
    expect(seen).toEqual(['ab', 'cd']);
  });

  it('refuses a declared length over the limit before reading anything', () => {
    const request = new Request('http://x/upload', {
      method: 'PUT',
      body: 'abcdef',
      headers: { 'content-length': '6' },
    });
    expect(() => limitedBody(request, 5, tooLarge)).toThrow(TooLarge);
  });

  it('gives an empty body for a request without one', async () => {
    expect(await collect(limitedBody(new Request('http://x/upload', { method: 'PUT' }), 5, tooLarge))).toBe(
      '',
    );
  });
});
