import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as sesLocalModule from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import kinesalite from 'kinesalite';
import { createTableInput, TABLES, type TableSpec } from '../../src/adapters/aws/tables.js';

/**
 * AWS API emulators for adapter and handler tests, each started by the test on a free loopback
 * port and stopped after it: dynalite (DynamoDB), kinesalite (Kinesis), fauxqs (S3, SQS, SNS) and
 * aws-ses-v2-local (SES). `clientConfig(endpoint)` is what every SDK client needs to talk to one:
 * a fixed region, dummy credentials, path-style S3 and the node HTTP handler (kinesalite answers
 * "Protocol error" to the default one).
 *
 * @example
 * const dynamo = await startDynalite();
 * const client = new DynamoDBClient(clientConfig(dynamo.endpoint));
 * afterAll(() => dynamo.stop());
 */
export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

export const REGION = 'eu-west-1';

export function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 2,
  };
}

function listen(server: Server): Promise<Emulator> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

export function startDynalite(): Promise<Emulator> {
  return listen(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server);
}

export function startKinesalite(): Promise<Emulator> {
  return listen(kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 }) as Server);
}

export async function startFauxqsEmulator(): Promise<Emulator & { server: FauxqsServer }> {
  const server = await startFauxqs({ port: 0, logger: false });
  return { endpoint: `http://127.0.0.1:${server.port}`, server, stop: () => server.stop() };
}

/** aws-ses-v2-local; mail it accepted is at `GET <endpoint>/store`. */
export async function startSesLocal(): Promise<Emulator> {
  const probe = await listen((await import('node:http')).createServer());
  const port = Number(new URL(probe.endpoint).port);
  await probe.stop();
  // A CommonJS module whose `exports.default` is the function: Node's ESM loader sees it one level
  // down, a bundler's interop at the top.
  type Start = (config: { host: string; port: number }) => Promise<Server>;
  const loaded = sesLocalModule as unknown as { default: Start | { default: Start } };
  const start = typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
  const server = await start({ host: '127.0.0.1', port });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Creates the table of `spec` under a fresh name in the emulator, and returns that name. */
export async function createTable(endpoint: string, spec: TableSpec | TableSpec['name']): Promise<string> {
  const resolved = typeof spec === 'string' ? TABLES.find((table) => table.name === spec) : spec;
  if (!resolved) throw new Error(`no table spec "${String(spec)}"`);
  const name = `${resolved.name}-${randomBytes(4).toString('hex')}`;
  const client = new DynamoDBClient(clientConfig(endpoint));
  try {
    await client.send(new CreateTableCommand(createTableInput(name)));
  } finally {
    client.destroy();
  }
  return name;
}
