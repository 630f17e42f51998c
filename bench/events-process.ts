/** Child processes of the events and orders benchmarks that the parent can always stop, even when it fails. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./events.ts', import.meta.url));
const live = new Set<ChildProcess>();

/**
 * A child process running `<entry> --child …` (`bench/events.ts` unless another benchmark names
 * its own entry), read one stdout line at a time.
 */
export class Child {
  private readonly proc: ChildProcess;
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  private exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  constructor(args: readonly string[], entry: string = ENTRY) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', entry, '--child', ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    live.add(this.proc);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        live.delete(this.proc);
        this.waiter?.();
        resolve();
      });
    });
    this.proc.once('error', () => {
      this.exitCode = -1;
      this.waiter?.();
    });
    createInterface({ input: this.proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);
      this.waiter?.();
    });
  }

  /** The next JSON line the child printed (other lines go to stderr). */
  async next<T>(what: string): Promise<T> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        if (line.startsWith('{')) return JSON.parse(line) as T;
        process.stderr.write(`${line}\n`);
        continue;
      }
      if (this.exitCode !== undefined) {
        // Lines may still be buffered in the reader: give it a turn before giving up.
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (this.lines.length > 0) continue;
        throw new Error(`child exited (code ${this.exitCode}) before printing ${what}`);
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = undefined;
    }
  }

  /** Asks the child to stop (SIGTERM), then kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 120_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Kills every child still running (on failure or interruption). */
export function killChildren(): void {
  for (const proc of live) proc.kill('SIGKILL');
}
