import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDev, stop, tributary } from './support/cli.js';
import { makeEvent, ndjson, uuid } from './support/events.js';

/**
 * The CLI against a deployed API (TRIBUTARY_API_URL + TRIBUTARY_TOKEN), as docs/deploy.md uses it
 * for the AWS stack. A local server stands in for API Gateway: the CLI runs with another, empty
 * data dir, so whatever it reads came over HTTP.
 */
describe('tributary against a remote API', () => {
  let serverDir: string;
  let cliDir: string;
  let server: DevServer;

  beforeAll(async () => {
    serverDir = await mkdtemp(join(tmpdir(), 'tributary-remote-server-'));
    cliDir = await mkdtemp(join(tmpdir(), 'tributary-remote-cli-'));
    server = await startDev({ TRIBUTARY_DATA_DIR: serverDir });
  });
  afterAll(async () => {
    if (server) await stop(server.child);
    await rm(serverDir, { recursive: true, force: true });
    await rm(cliDir, { recursive: true, force: true });
  });

  const remote = (args: string[], env: Record<string, string> = {}) =>
    tributary(args, {
      TRIBUTARY_DATA_DIR: cliDir,
      TRIBUTARY_API_URL: server.url,
      TRIBUTARY_TOKEN: server.token,
      ...env,
    });

  it('submits and reads orders over HTTP, touching no local data dir', async () => {
    const file = join(serverDir, 'orders.json');
    await writeFile(file, JSON.stringify([{ record_id: 'remote-1', parameter_1: 'abc', parameter_2: 4 }]));
    const submitted = await remote(['orders', 'submit', file, '--json']);
    expect(submitted.code).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ accepted: 1, record_ids: ['remote-1'] });

    const listed = await remote(['orders', 'get', 'remote-1', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ record_id: 'remote-1', status: 'pending' });
    expect(await readdir(cliDir)).toEqual([]);
  });

  it("sends events in POST /events batches of at most 500, keeping each rejection's line", async () => {
    const records: unknown[] = Array.from({ length: 1_201 }, (_, i) =>
      makeEvent({ id: uuid(i + 1, 'e1e1e1e1') }),
    );
    const lines = ndjson(records).split('\n');
    lines[700] = '{"not": "an event"';
    const file = join(serverDir, 'events.ndjson');
    await writeFile(file, lines.join('\n'));

    // Through a recording proxy, as API Gateway would stand in front: which routes were used?
    const paths: string[] = [];
    const proxy = createServer((request, response) => {
      paths.push(`${request.method} ${request.url}`);
      const forward = httpRequest(
        new URL(request.url ?? '/', server.url),
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as AddressInfo;
    const sent = await remote(['events', 'send', file, '--json'], {
      TRIBUTARY_API_URL: `http://127.0.0.1:${port}`,
    }).finally(() => new Promise((resolve) => proxy.close(resolve)));
    expect(sent.code).toBe(0);
    const outcome = JSON.parse(sent.stdout) as {
      accepted: number;
      rejected: number;
      rejections: { line: number }[];
    };
    expect(outcome).toMatchObject({ accepted: 1_200, rejected: 1 });
    expect(outcome.rejections.map((r) => r.line)).toEqual([701]);
    expect(paths).toEqual(['POST /events', 'POST /events', 'POST /events']);
  });

  it('refuses a wrong token with the API message, and a bad URL or a missing token before any request', async () => {
    const wrong = await remote(['orders', 'list'], { TRIBUTARY_TOKEN: 'not-the-token' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/token/i);

    const badUrl = await remote(['orders', 'list'], { TRIBUTARY_API_URL: 'not a url' });
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toContain('TRIBUTARY_API_URL "not a url" is not a URL');

    const noToken = await remote(['orders', 'list'], { TRIBUTARY_TOKEN: '' });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('set TRIBUTARY_TOKEN');
  });
});
