import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, type OwnerInfo, readDataDirOwner } from './data-dir-lock.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const moduleUrl = pathToFileURL(path.join(repoRoot, 'src/runtime/data-dir-lock.ts')).href;

let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tributary-lock-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await rm(dir, { recursive: true, force: true });
});

const lockFile = () => path.join(dir, 'owner.lock');

async function writeOwner(owner: Partial<OwnerInfo>): Promise<void> {
  const info = { hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', ...owner };
  await writeFile(lockFile(), JSON.stringify(info));
}

/** The PID of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

function liveProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  children.push(child);
  return child;
}

const contenderScript = `
import { acquireDataDirLock } from ${JSON.stringify(moduleUrl)};
try {
  const lock = await acquireDataDirLock(process.argv[2]);
  console.log(JSON.stringify({ acquired: true, pid: process.pid }));
  process.stdin.resume();
  process.stdin.on('end', async () => { await lock.release(); process.exit(0); });
} catch (error) {
  console.log(JSON.stringify({ acquired: false, name: error.name, message: error.message }));
  process.exit(0);
}
`;

interface Outcome {
  acquired: boolean;
  pid?: number;
  name?: string;
  message?: string;
}

/** Another process that tries to lock `dir` and, if it wins, holds the lock until its stdin ends. */
async function contender(): Promise<{ child: ChildProcess; outcome: Promise<Outcome> }> {
  const script = path.join(dir, `contender-${children.length}.mts`);
  await writeFile(script, contenderScript);
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { cwd: repoRoot });
  children.push(child);
  const outcome = new Promise<Outcome>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve(JSON.parse(line) as Outcome);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`contender exited (${code}) without an outcome: ${err}`)));
  });
  return { child, outcome };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  await exited;
}

describe('acquireDataDirLock in one process', () => {
  it('writes owner.lock with this process, its host and its start time', async () => {
    const lock = await acquireDataDirLock(dir);
    const written = JSON.parse(await readFile(lockFile(), 'utf8')) as OwnerInfo;
    expect(written).toEqual({ pid: process.pid, hostname: hostname(), startedAt: lock.owner.startedAt });
    expect(Number.isNaN(Date.parse(written.startedAt))).toBe(false);
    await lock.release();
  });

  it('creates the data dir when it does not exist yet', async () => {
    const nested = path.join(dir, 'a', '.tributary');
    const lock = await acquireDataDirLock(nested);
    expect(await readDataDirOwner(nested)).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('refuses a second lock, naming the data dir and the owner PID', async () => {
    const lock = await acquireDataDirLock(dir);
    const second = acquireDataDirLock(dir);
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toMatchObject({
      dir,
      owner: { pid: process.pid },
      message: `data dir ${dir} is in use by process ${process.pid} (started ${lock.owner.startedAt}); stop it or use another --data-dir`,
    });
    await lock.release();
  });

  it('records the server url and port for readDataDirOwner', async () => {
    const lock = await acquireDataDirLock(dir);
    await lock.update({ url: 'http://127.0.0.1:4000', port: 4000 });
    expect(lock.owner).toMatchObject({ url: 'http://127.0.0.1:4000', port: 4000 });
    expect(await readDataDirOwner(dir)).toEqual({
      pid: process.pid,
      hostname: hostname(),
      startedAt: lock.owner.startedAt,
      url: 'http://127.0.0.1:4000',
      port: 4000,
    });
    await lock.release();
  });

  it('frees the dir on release, and releasing twice is harmless', async () => {
    const lock = await acquireDataDirLock(dir);
    await lock.release();
    await lock.release();
    expect(await readDataDirOwner(dir)).toBeUndefined();
    const again = await acquireDataDirLock(dir);
    await again.release();
  });

  it('refuses to update after release', async () => {
    const lock = await acquireDataDirLock(dir);
    await lock.release();
    await expect(lock.update({ port: 1 })).rejects.toThrow(/lost the lock/);
  });

  it('does not delete a lock file that is no longer its own', async () => {
    const lock = await acquireDataDirLock(dir);
    await rm(lockFile());
    await writeOwner({ pid: process.pid, startedAt: 'someone else' });
    await lock.release();
    expect(await readDataDirOwner(dir)).toMatchObject({ startedAt: 'someone else' });
  });

  it('leaves no temporary files behind', async () => {
    await writeOwner({ pid: await deadPid() });
    const lock = await acquireDataDirLock(dir);
    await lock.update({ port: 1 });
    expect(await readdir(dir)).toEqual(['owner.lock']);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('stale and foreign locks', () => {
  it('takes over a lock left by a process that no longer runs', async () => {
    const pid = await deadPid();
    await writeOwner({ pid });
    expect(await readDataDirOwner(dir)).toBeUndefined();
    const lock = await acquireDataDirLock(dir);
    expect(await readDataDirOwner(dir)).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('refuses a lock held by another live process', async () => {
    const child = liveProcess();
    await writeOwner({ pid: child.pid as number });
    await expect(acquireDataDirLock(dir)).rejects.toThrow(`in use by process ${child.pid}`);
    expect(await readDataDirOwner(dir)).toMatchObject({ pid: child.pid });
  });

  it('treats a lock from another host as held, since its PID cannot be checked', async () => {
    await writeOwner({ pid: await deadPid(), hostname: 'build-server-7' });
    await expect(acquireDataDirLock(dir)).rejects.toThrow(/on host build-server-7/);
  });

  it('takes over an unreadable lock file once it is clearly not being written', async () => {
    await writeFile(lockFile(), '{"pid": 12');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile(), old, old);
    expect(await readDataDirOwner(dir)).toBeUndefined();
    const lock = await acquireDataDirLock(dir);
    await lock.release();
  });

  it('takes over even when a process died in the middle of a takeover', async () => {
    const pid = await deadPid();
    await writeOwner({ pid });
    await writeFile(`${lockFile()}.takeover`, JSON.stringify({ pid, hostname: hostname(), startedAt: 'x' }));
    const lock = await acquireDataDirLock(dir);
    expect(await readdir(dir)).toEqual(['owner.lock']);
    await lock.release();
  });

  it('lets exactly one of many concurrent acquirers take a stale lock', async () => {
    await writeOwner({ pid: await deadPid() });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireDataDirLock(dir)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r) => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(DataDirLockedError);
    expect(await readdir(dir)).toEqual(['owner.lock']);
  });
});

describe('across processes', () => {
  it('refuses a second process while this one holds the lock', async () => {
    const lock = await acquireDataDirLock(dir);
    const { outcome } = await contender();
    expect(await outcome).toEqual({
      acquired: false,
      name: 'DataDirLockedError',
      message: expect.stringContaining(`data dir ${dir} is in use by process ${process.pid}`),
    });
    await lock.release();
  });

  it('refuses this process while another holds it, and succeeds once it releases', async () => {
    const { child, outcome } = await contender();
    const { pid } = await outcome;
    await expect(acquireDataDirLock(dir)).rejects.toMatchObject({ owner: { pid } });
    await stop(child);
    const lock = await acquireDataDirLock(dir);
    await lock.release();
  });

  it('takes over from an owner killed with SIGKILL', async () => {
    const { child, outcome } = await contender();
    expect((await outcome).acquired).toBe(true);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const lock = await acquireDataDirLock(dir);
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
  });

  it('lets exactly one of several processes racing for a stale lock win', async () => {
    await writeOwner({ pid: await deadPid() });
    const racers = await Promise.all(Array.from({ length: 4 }, () => contender()));
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
    for (const lost of outcomes.filter((o) => !o.acquired)) expect(lost.name).toBe('DataDirLockedError');
    await Promise.all(racers.map((r) => stop(r.child)));
  });
});
