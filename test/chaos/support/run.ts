import { setTimeout as sleep } from 'node:timers/promises';
import { prng } from '../../../bench/prng.js';
import { type DevServer, startDev, stop } from '../../support/cli.js';
import { Producer, Target } from './producer.js';
import { PIPELINES, type Pipeline, type Workload } from './workload.js';

/** One SIGKILL: when (ms after the server was up) and which pipelines had work under way. */
export interface Kill {
  afterMs: number;
  busy: Record<Pipeline, boolean>;
}

export interface RunResult {
  producer: Producer;
  kills: Kill[];
  /** Kills that hit each pipeline while it had work under way. */
  busyKills: Record<Pipeline, number>;
  ms: number;
}

export interface RunOptions {
  dataDir: string;
  workload: Workload;
  /** Seeds the kill moments. */
  seed: number;
  /** Kill until every pipeline was hit this often while busy (0: the uninterrupted reference). */
  busyKills: number;
  /** Give up on reaching `busyKills` after this many kills (the workload needs rounds to spare). */
  maxKills: number;
  /** A round is released this long after the server is up: uniform in [min, max] ms. */
  releaseWindowMs?: [number, number];
  /** The kill comes this long after the release: uniform in [min, max] ms. */
  killWindowMs?: [number, number];
  log?: (line: string) => void;
}

/**
 * The fabric's environment for both runs: the simulated auction platform seeded and always ready
 * (wait 1 s), and no scheduled auction, so that only the producers start auctions.
 */
export const fabricEnv = (dataDir: string): Record<string, string> => ({
  TRIBUTARY_DATA_DIR: dataDir,
  AUCTION_SEED: '7',
  AUCTION_READY_PROBABILITY: '1',
  AUCTION_WAIT_SECONDS: '1',
  AUCTION_SCHEDULE: 'at(2099-01-01T00:00:00)',
});

/**
 * Runs the workload against `tributary dev` children on one data dir. Between restarts the
 * producers get one more round of inputs; at a seeded random moment the child is killed with
 * SIGKILL and started again, until every pipeline was hit `busyKills` times while busy. Then
 * every remaining round is released, the work settles, a last auction decides the orders still
 * pending, and the child is stopped cleanly (SIGTERM) so its data dir can be read.
 */
export async function runWorkload(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const random = prng(options.seed);
  const uniform = ([min, max]: [number, number]) => Math.round(min + random() * (max - min));
  const env = fabricEnv(options.dataDir);
  const log = options.log ?? (() => {});
  const target = new Target();
  const producer = new Producer(target, options.workload);
  let failure: unknown;
  const producing = producer.run().catch((error: unknown) => {
    failure = error;
  });
  const kills: Kill[] = [];
  const busyKills = Object.fromEntries(PIPELINES.map((p) => [p, 0])) as Record<Pipeline, number>;
  const enough = () => PIPELINES.every((p) => busyKills[p] >= options.busyKills);
  let server: DevServer | undefined;
  try {
    for (let epoch = 0; ; epoch++) {
      const booting = Date.now();
      server = await startDev(env);
      const bootMs = Date.now() - booting;
      target.set(server);
      const up = Date.now();
      if (enough() || kills.length >= options.maxKills) {
        producer.release(options.workload.rounds);
        break;
      }
      // Leftovers (steps not answered before the last kill, work not finished) go on meanwhile.
      await sleep(uniform(options.releaseWindowMs ?? [0, 300]));
      producer.release(epoch + 1);
      await sleep(uniform(options.killWindowMs ?? [30, 400]));
      // A pipeline that already finished its round gets its next one, a few times at most: on a
      // fast machine a round can be done before the kill, and the kill must land in work.
      let busy = await producer.busy(server);
      let fed = 0;
      for (let tries = 0; tries < 3 && !PIPELINES.every((p) => busy[p]); tries++) {
        for (const p of PIPELINES) {
          if (busy[p]) continue;
          producer.releaseOneMore(p);
          fed++;
        }
        await sleep(uniform([10, 100]));
        busy = await producer.busy(server);
      }
      if (failure) throw failure;
      target.markKilled();
      const afterMs = Date.now() - up;
      await stop(server.child, 'SIGKILL');
      kills.push({ afterMs, busy });
      for (const p of PIPELINES) if (busy[p]) busyKills[p]++;
      log(
        `kill ${kills.length} after ${afterMs} ms (start-up took ${bootMs} ms, ${fed} extra rounds); busy: ${PIPELINES.filter((p) => busy[p]).join(', ')}`,
      );
    }
    const phase = (name: string) => log(`${name} at ${Date.now() - started} ms`);
    phase('last start-up done');
    await producing;
    if (failure) throw failure;
    phase('every step accepted');
    await producer.settle(server);
    phase('settled');
    // Orders left pending (posted after the last auction, or by an interrupted one) are decided.
    const { executionId } = (await producer.request('/auction/executions', { method: 'POST' })) as {
      executionId: string;
    };
    const last = await producer.follow(executionId);
    if (last.status !== 'SUCCEEDED') throw new Error(`the last auction ended ${last.status}`);
    phase('last auction done');
    await stop(server.child);
    if (server.child.exitCode !== 0) throw new Error(`tributary dev exited with ${server.child.exitCode}`);
  } catch (error) {
    if (server) {
      await stop(server.child, 'SIGKILL');
      log(server.output().slice(-4000));
    }
    throw error;
  }
  return { producer, kills, busyKills, ms: Date.now() - started };
}
