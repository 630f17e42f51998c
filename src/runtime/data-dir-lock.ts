import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Single ownership of a data directory. PGlite does not stop two processes from opening one data
 * dir (they silently overwrite each other), so the process that runs the embedded fabric holds
 * `dir/owner.lock`. The file also tells the CLI where the running local server listens.
 *
 * A lock left by a killed process (its PID no longer runs on this host) is taken over. Releasing
 * on exit is the caller's job.
 *
 * @example
 * const lock = await acquireDataDirLock('.tributary');
 * await lock.update({ url: 'http://127.0.0.1:4000', port: 4000 });
 * process.once('exit', () => void lock.release());
 */

export interface OwnerInfo {
  pid: number;
  hostname: string;
  /** ISO 8601. */
  startedAt: string;
  port?: number;
  url?: string;
}

export interface DataDirLock {
  readonly dir: string;
  /** What the lock file currently says. */
  readonly owner: OwnerInfo;
  /** Records where this process serves, for `readDataDirOwner`. */
  update(details: { url?: string; port?: number }): Promise<void>;
  /** Removes the lock file if it is still this lock's. Idempotent. */
  release(): Promise<void>;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: OwnerInfo,
  ) {
    const where = owner.hostname === hostname() ? '' : ` on host ${owner.hostname}`;
    super(
      `data dir ${dir} is in use by process ${owner.pid}${where} (started ${owner.startedAt}); ` +
        'stop it or use another --data-dir',
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_FILE = 'owner.lock';
const MAX_ATTEMPTS = 200;
/** How long an unparseable lock file is presumed to be mid-write by its creator. */
const WRITE_GRACE_MS = 2_000;
/** Filesystems without hard links (FAT, some network mounts) fall back to open('wx'). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

type LockState =
  | { kind: 'missing' }
  | { kind: 'owner'; info: OwnerInfo; text: string }
  | { kind: 'unreadable'; text: string; ageMs: number };

/**
 * Takes ownership of `dir` (created if needed). Throws `DataDirLockedError` when a live process
 * owns it. Among several processes racing for a free or stale directory, exactly one wins.
 */
export async function acquireDataDirLock(dir: string): Promise<DataDirLock> {
  await mkdir(dir, { recursive: true });
  const lockPath = path.join(dir, LOCK_FILE);
  const owner: OwnerInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(lockPath, serialize(owner))) {
      return heldLock(dir, lockPath, owner, await identityOf(lockPath));
    }
    const state = await readLock(lockPath);
    if (state.kind === 'missing') continue;
    if (state.kind === 'owner' && isHeld(state.info)) throw new DataDirLockedError(dir, state.info);
    if (state.kind === 'unreadable' && state.ageMs < WRITE_GRACE_MS) {
      await delay(40);
      continue;
    }
    await removeStale(lockPath, state.text);
  }
  throw new Error(
    `could not lock data dir ${dir}: ${LOCK_FILE} kept changing; try again, or remove ${LOCK_FILE}.takeover if it is old`,
  );
}

/** The live owner of `dir`, or `undefined` when nobody holds it or the lock is stale. */
export async function readDataDirOwner(dir: string): Promise<OwnerInfo | undefined> {
  const state = await readLock(path.join(dir, LOCK_FILE));
  return state.kind === 'owner' && isHeld(state.info) ? state.info : undefined;
}

function heldLock(
  dir: string,
  lockPath: string,
  initial: OwnerInfo,
  initialIdentity: string | undefined,
): DataDirLock {
  let owner = initial;
  let identity = initialIdentity;
  let released = false;
  const isStillOurs = async () => identity !== undefined && identity === (await identityOf(lockPath));

  return {
    dir,
    get owner() {
      return owner;
    },
    async update(details) {
      if (released || !(await isStillOurs())) {
        throw new Error(`lost the lock on data dir ${dir}: ${LOCK_FILE} was released, removed or replaced`);
      }
      owner = { ...owner, ...details };
      const temporary = temporaryPath(lockPath);
      await writeFile(temporary, serialize(owner), { flag: 'wx' });
      // rename replaces atomically: a reader sees the old or the new content, never half of it.
      await rename(temporary, lockPath);
      identity = await identityOf(lockPath);
    },
    async release() {
      if (released) return;
      released = true;
      if (await isStillOurs()) await rm(lockPath, { force: true });
    },
  };
}

/**
 * Creates the lock file with its full content in one step: the content goes to a private file
 * first, then a hard link gives it the lock's name, which fails if the name exists. A plain
 * open('wx') would leave an empty file visible for a moment, and a racing process could take
 * that for a stale lock.
 */
async function createExclusive(lockPath: string, text: string): Promise<boolean> {
  const temporary = temporaryPath(lockPath);
  await writeFile(temporary, text, { flag: 'wx' });
  try {
    await link(temporary, lockPath);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    if (NO_HARD_LINKS.has(errorCode(error) ?? '')) return createWithOpen(lockPath, text);
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function createWithOpen(lockPath: string, text: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Deletes a stale lock, under a short-lived guard file so that only one contender at a time may
 * delete anything at the lock's name. Under the guard the lock is read again and deleted only if
 * it is still the stale one: a lock that a live contender created meanwhile is never touched.
 * Without the guard, "check stale, then delete" could delete a winner's fresh lock.
 */
async function removeStale(lockPath: string, staleText: string): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  const guard: OwnerInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  if (!(await createExclusive(guardPath, serialize(guard)))) {
    await clearAbandonedGuard(guardPath);
    await delay(10);
    return;
  }
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === staleText) await rm(lockPath, { force: true });
  } finally {
    await rm(guardPath, { force: true });
  }
}

/**
 * A guard left by a process killed during a takeover would block every later takeover. It is
 * renamed to a private name (atomic: one contender gets it) and put back if it turns out to be
 * a live guard created after we read it. Only a crash mid-takeover brings this path into play.
 */
async function clearAbandonedGuard(guardPath: string): Promise<void> {
  const state = await readLock(guardPath);
  if (state.kind === 'missing' || (state.kind === 'owner' && isHeld(state.info))) return;
  if (state.kind === 'unreadable' && state.ageMs < WRITE_GRACE_MS) return;
  const aside = `${guardPath}.${process.pid}-${randomUUID()}.stale`;
  try {
    await rename(guardPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    const moved = await readFile(aside, 'utf8');
    if (moved !== state.text) await createExclusive(guardPath, moved);
  } finally {
    await rm(aside, { force: true });
  }
}

async function readLock(lockPath: string): Promise<LockState> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  const info = parseOwner(text);
  if (info !== undefined) return { kind: 'owner', info, text };
  const modified = await stat(lockPath).catch(() => undefined);
  if (modified === undefined) return { kind: 'missing' };
  return { kind: 'unreadable', text, ageMs: Date.now() - modified.mtimeMs };
}

function parseOwner(text: string): OwnerInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, hostname: host, startedAt, port, url } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined;
  if (typeof host !== 'string' || typeof startedAt !== 'string') return undefined;
  const info: OwnerInfo = { pid: pid as number, hostname: host, startedAt };
  if (typeof port === 'number') info.port = port;
  if (typeof url === 'string') info.url = url;
  return info;
}

/**
 * Whether the recorded owner may still run. A PID on another host cannot be checked, so it
 * counts as alive: a shared data dir is never taken from a machine we cannot see.
 */
function isHeld(owner: OwnerInfo): boolean {
  if (owner.hostname !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function serialize(owner: OwnerInfo): string {
  return `${JSON.stringify(owner, null, 2)}\n`;
}

function temporaryPath(lockPath: string): string {
  return `${lockPath}.${process.pid}-${randomUUID()}.tmp`;
}

/**
 * What tells our lock file from a later one: its inode and its content together. Neither is
 * enough alone: a freed inode number is soon reused, and a lock written by this same process in
 * the same millisecond has identical content.
 */
async function identityOf(file: string): Promise<string | undefined> {
  try {
    const [{ ino }, text] = await Promise.all([stat(file, { bigint: true }), readFile(file, 'utf8')]);
    return `${ino}:${text}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
