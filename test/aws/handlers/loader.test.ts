import { readFile } from 'node:fs/promises';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientConfig, type Emulator, startFauxqsEmulator } from '../../support/aws-emulators.js';
import { datasets } from '../../support/cli.js';
import {
  type PostgresServer,
  postgresAvailability,
  startPostgresServer,
} from '../../support/postgres-server.js';
import {
  httpApiEvent,
  lambdaContext,
  objectCreated,
  sqsEvent,
  sqsRecord,
  stubLambdaEnv,
} from './lambda-events.js';

const LANDING = 'tributary-test-landing';
const DB_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary-test-db-AbCdEf';

const availability = postgresAvailability();
const skipped = 'skipped' in availability ? availability.skipped : undefined;
if (skipped) console.warn(`[loader on AWS] skipped: ${skipped}`);

describe.skipIf(skipped)('loader on AWS (RDS PostgreSQL stood in for by a local server)', () => {
  let fauxqs: Emulator;
  let server: PostgresServer;
  let s3: S3Client;
  let ingest: typeof import('../../../src/aws/functions/loader-ingest.js').handler;
  let reportsApi: typeof import('../../../src/aws/functions/reports-api.js').handler;
  let destroyAwsClients: () => void;
  let closeLoaderDatabases: () => Promise<void>;
  const secretReads: string[] = [];

  /** Puts a file in bucket landing and returns the SQS message EventBridge's rule sends for it. */
  async function land(key: string, body: string | Buffer) {
    const output = await s3.send(new PutObjectCommand({ Bucket: LANDING, Key: key, Body: body }));
    const created = objectCreated(LANDING, key, {
      size: Buffer.byteLength(body),
      etag: (output.ETag ?? '').replaceAll('"', ''),
    });
    return sqsRecord(JSON.stringify(created), 'loader', `m-${key}`);
  }

  async function keys(prefix: string): Promise<string[]> {
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: LANDING, Prefix: prefix }));
    return Contents.map((object) => object.Key ?? '');
  }

  async function call(routeKey: string, path: string, options: Parameters<typeof httpApiEvent>[2] = {}) {
    const response = await reportsApi(httpApiEvent(routeKey, path, options), lambdaContext('reports-api'));
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  beforeAll(async () => {
    fauxqs = await startFauxqsEmulator();
    const started = await startPostgresServer();
    if ('skipped' in started) throw new Error(started.skipped);
    server = started;
    s3 = new S3Client(clientConfig(fauxqs.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: LANDING }));
    stubLambdaEnv({
      BUCKETS: JSON.stringify({ landing: LANDING }),
      DB_SECRET_ARN,
      AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
    });
    // Secrets Manager has no emulator here: the test supplies the RDS secret, for a server without TLS.
    const url = new URL(server.url);
    const secret = {
      engine: 'postgres',
      host: url.hostname,
      port: Number(url.port),
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      dbname: url.pathname.slice(1),
      sslmode: 'disable',
    };
    const secrets = await import('../../../src/aws/secrets.js');
    secrets.setSecretReader(async (secretId) => {
      secretReads.push(secretId);
      if (secretId !== DB_SECRET_ARN) throw new Error(`no secret ${secretId}`);
      return JSON.stringify(secret);
    });
    ({ handler: ingest } = await import('../../../src/aws/functions/loader-ingest.js'));
    ({ handler: reportsApi } = await import('../../../src/aws/functions/reports-api.js'));
    ({ destroyAwsClients } = await import('../../../src/aws/clients.js'));
    ({ closeLoaderDatabases } = await import('../../../src/aws/rds.js'));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await closeLoaderDatabases?.();
    destroyAwsClients?.();
    s3?.destroy();
    await Promise.all([fauxqs?.stop(), server?.stop()]);
  });

  it('loads landing files announced through EventBridge and SQS, failing only the message that is no S3 event', async () => {
    const files = ['departments', 'jobs', 'hired_employees'];
    const messages = await Promise.all(
      files.map(async (name) => land(`stage/${name}.csv`, await readFile(`${datasets}loader/${name}.csv`))),
    );
    const notAnEvent = sqsRecord(
      '{"detail-type":"Object Created","detail":{"bucket":{}}}',
      'loader',
      'm-bad',
    );
    const response = await ingest(
      sqsEvent(messages[0]!, notAnEvent, ...messages.slice(1)),
      lambdaContext('loader-ingest'),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    expect(await keys('stage/')).toEqual([]);
    expect((await keys('processed/')).map((key) => key.replace(/_\d{8}-\d{6}\.csv$/, ''))).toEqual([
      'processed/departments/departments',
      'processed/hired_employees/hired_employees',
      'processed/jobs/jobs',
    ]);
    // Migrated once, on the first message; the secret was read once for the container.
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM hired_employees');
      expect(rows[0].n).toBeGreaterThan(1900);
    } finally {
      await client.end();
    }
    expect(secretReads).toEqual([DB_SECRET_ARN]);
  });

  it('moves a file no rule matches to unmatched/ and records it', async () => {
    const message = await land('stage/salaries.csv', '1,1000\n');
    expect(await ingest(sqsEvent(message), lambdaContext('loader-ingest'))).toEqual({
      batchItemFailures: [],
    });
    expect((await keys('unmatched/')).some((key) => key.startsWith('unmatched/salaries_'))).toBe(true);
  });

  it('serves the reports and takes posted rows through API Gateway, for the operator only', async () => {
    const admin = { kind: 'admin' } as const;
    const hires = await call('GET /reports/hires-by-quarter', '/reports/hires-by-quarter', {
      principal: admin,
      query: { year: '2021' },
    });
    expect(hires.status).toBe(200);
    expect(hires.body).toMatchObject({ report: 'hires-by-quarter', year: 2021 });
    expect((hires.body.rows as unknown[]).length).toBeGreaterThan(0);
    const above = await call('GET /reports/departments-above-mean', '/reports/departments-above-mean', {
      principal: admin,
      query: { year: '2021' },
    });
    expect(above.status).toBe(200);
    expect((above.body.rows as unknown[]).length).toBeGreaterThan(0);

    const posted = await call('POST /datasets/{table}/rows', '/datasets/jobs/rows', {
      principal: admin,
      body: { rows: [{ id: 9001, job: 'Lambda Wrangler' }, [9002, '']] },
    });
    expect(posted).toMatchObject({ status: 201, body: { table: 'jobs', loaded: 1, rejected: 1 } });
    const files = await call('GET /loader/files', '/loader/files', {
      principal: admin,
      query: { file: 'stage/jobs.csv' },
    });
    expect(files).toMatchObject({
      status: 200,
      body: { files: [{ loadFile: 'stage/jobs.csv', status: 'loaded' }] },
    });

    const asClient = await call('GET /loader/files', '/loader/files', {
      principal: { kind: 'client', client: 'acme' },
    });
    expect(asClient.status).toBe(403);
  });
});
