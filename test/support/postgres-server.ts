import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A PostgreSQL server (or a database on one) that a test file may use, and how to let it go. */
export interface PostgresServer {
  /** `postgres://…` of a database nobody else uses. */
  url: string;
  stop(): Promise<void>;
}

export type PostgresServerResult = PostgresServer | { skipped: string };

export const NO_SERVER_REASON =
  'no PostgreSQL server binaries (install the postgresql package or set DATABASE_URL)';

/**
 * Says, synchronously, whether {@link startPostgresServer} can give a server: tests decide at
 * collection time whether the PostgreSQL suites run or are shown as skipped.
 */
export function postgresAvailability(env = process.env): { available: true } | { skipped: string } {
  if (env.DATABASE_URL) return { available: true };
  if (findServerBinaries()) return { available: true };
  // CI sets this: there, a missing server is a broken install, not a reason to skip.
  if (env.TRIBUTARY_REQUIRE_POSTGRES)
    throw new Error(`TRIBUTARY_REQUIRE_POSTGRES is set but there are ${NO_SERVER_REASON}`);
  return { skipped: NO_SERVER_REASON };
}

/**
 * Gives the test run a PostgreSQL database of its own.
 *
 * - `DATABASE_URL` set: creates a uniquely named database on that server; `stop()` drops it.
 * - otherwise, with server binaries on this machine (`/usr/lib/postgresql/<v>/bin`, highest
 *   version, or `pg_config --bindir`): initdb into a temp folder and start a throw-away server on a
 *   free loopback port (run as user `postgres` when we are root, since initdb refuses root);
 *   `stop()` stops it immediately and removes the folder.
 * - neither: `{ skipped }` with the reason, for the caller to show.
 */
export async function startPostgresServer(env = process.env): Promise<PostgresServerResult> {
  if (env.DATABASE_URL) return createDatabase(env.DATABASE_URL);
  const bindir = findServerBinaries();
  if (!bindir) return { skipped: NO_SERVER_REASON };
  return startLocalServer(bindir);
}

/** Creates a fresh, uniquely named database on the server of `url`; `stop()` drops it. */
export async function createDatabase(url: string): Promise<PostgresServer> {
  const name = `tributary_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(url, (client) => client.query(`CREATE DATABASE ${name}`));
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    stop: () =>
      withAdminClient(url, async (client) => {
        // FORCE (PostgreSQL 13+) ends connections a failed test left open.
        await client
          .query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
          .catch(() => client.query(`DROP DATABASE IF EXISTS ${name}`));
      }),
  };
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The folder holding `initdb`, `pg_ctl` and `postgres`, or undefined when there is none. */
export function findServerBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  try {
    const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    if (bindir && existsSync(join(bindir, 'initdb')) && existsSync(join(bindir, 'pg_ctl'))) return bindir;
  } catch {
    // No pg_config on the PATH.
  }
  return undefined;
}

async function startLocalServer(bindir: string): Promise<PostgresServer> {
  const asPostgres = process.getuid?.() === 0;
  const folder = await mkdtemp(join(tmpdir(), 'tributary-pg-'));
  const dataDir = join(folder, 'data');
  const logFile = join(folder, 'server.log');
  const pgCtl = join(bindir, 'pg_ctl');
  const exec = (file: string, args: string[]) => runServerCommand(file, args, asPostgres, folder);

  // If the test process dies without calling stop(), still take the server and the folder down.
  const stopSync = () => {
    try {
      const [file, args] = serverCommand(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop'], asPostgres);
      execFileSync(file, args, { stdio: 'ignore', cwd: folder });
    } catch {
      // Not running.
    }
    rmSync(folder, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  try {
    if (asPostgres) await chownToPostgres(folder);
    await exec(join(bindir, 'initdb'), [
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const port = await startOnFreePort(exec, pgCtl, dataDir, folder, logFile);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        process.removeListener('exit', stopSync);
        await exec(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw error;
  }
}

/** A port taken by another process between our probe and the server's bind: try another one. */
async function startOnFreePort(
  exec: (file: string, args: string[]) => Promise<unknown>,
  pgCtl: string,
  dataDir: string,
  socketDir: string,
  logFile: string,
): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await exec(pgCtl, ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '30', 'start']);
      return port;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`PostgreSQL did not start: ${describeError(lastError)}`);
}

function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'stderr' in error && error.stderr) return String(error.stderr);
  return error instanceof Error ? error.message : String(error);
}

async function runServerCommand(
  file: string,
  args: string[],
  asPostgres: boolean,
  cwd: string,
): Promise<void> {
  const [command, commandArgs] = serverCommand(file, args, asPostgres);
  try {
    // cwd: the postgres user may not be allowed into the directory the tests run from.
    await run(command, commandArgs, { encoding: 'utf8', cwd });
  } catch (error) {
    throw new Error(`${file} ${args.join(' ')} failed: ${describeError(error)}`);
  }
}

/** initdb and the server refuse to run as root: when we are root, run them as `postgres`. */
function serverCommand(file: string, args: string[], asPostgres: boolean): [string, string[]] {
  if (!asPostgres) return [file, args];
  if (['/usr/sbin/runuser', '/sbin/runuser'].some(existsSync)) {
    return ['runuser', ['-u', 'postgres', '--', file, ...args]];
  }
  const quoted = [file, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
  return ['su', ['postgres', '-s', '/bin/sh', '-c', quoted]];
}

async function chownToPostgres(folder: string): Promise<void> {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  await chown(folder, uid, gid);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
