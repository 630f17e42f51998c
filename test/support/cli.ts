import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const datasets = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tributary …` as a user would, in its own process. */
export function tributary(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface DevServer {
  child: ChildProcess;
  url: string;
  token: string;
  output: () => string;
}

/** Starts `tributary dev` on a free port and resolves once it printed its URL and token. */
export function startDev(env: Record<string, string>, timeoutMs = 60_000): Promise<DevServer> {
  const child = spawn(process.execPath, [bin, 'dev', '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary dev did not start:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /running at (\S+)/.exec(output)?.[1];
      const token = /admin token: (\S+)/.exec(output)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ child, url, token, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tributary dev exited with ${code}:\n${output}`));
    });
  });
}

/** Stops a child and waits for it to be gone. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
