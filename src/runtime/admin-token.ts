import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'admin-token';

/** Path of the admin token inside a data dir. */
export function adminTokenPath(dataDir: string): string {
  return join(dataDir, FILE);
}

/** Reads the admin token, creating it (256 random bits, mode 0600) on first start. */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  const existing = await readAdminToken(dataDir);
  if (existing) return existing;
  const token = `trb_${randomBytes(32).toString('base64url')}`;
  try {
    await writeFile(adminTokenPath(dataDir), `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readAdminToken(dataDir)) as string;
  }
  await chmod(adminTokenPath(dataDir), 0o600);
  return token;
}

export async function readAdminToken(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(adminTokenPath(dataDir), 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
