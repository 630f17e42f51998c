import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readDefaultStatementTemplate } from '../adapters/local/default-template.js';
import { createFsObjectStore } from '../adapters/local/fs-object-store.js';
import { createOutboxMailer, type OutboxMailer } from '../adapters/local/outbox-mailer.js';
import { createSmtpMailer } from '../adapters/local/smtp-mailer.js';
import { createSqlClientRegistry } from '../adapters/sql/client-registry.js';
import { createSqlEventsRepository } from '../adapters/sql/events-repository.js';
import { migrate } from '../adapters/sql/migrate.js';
import { openPostgres } from '../adapters/sql/pg-client.js';
import { openPGlite } from '../adapters/sql/pglite-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { createSqlStatementsRepository } from '../adapters/sql/statements-repository.js';
import { defaultSchemaRegistry } from '../core/events/schema-registry.js';
import { createEventsConsumeHandler } from '../functions/events-consume.js';
import { createStatementsIngestHandler } from '../functions/statements-ingest.js';
import { createStatementsNotifyHandler } from '../functions/statements-notify.js';
import type { Clock } from '../ports/clock.js';
import type { ClientRegistry, EventsRepository } from '../ports/events-repository.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { StatementsRepository } from '../ports/statements-repository.js';
import { topology as defaultTopology, isStreamTrigger, type Topology } from '../topology.js';
import { ensureAdminToken } from './admin-token.js';
import { systemClock } from './clock.js';
import type { RuntimeConfig } from './config.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { type DeployedFunction, Dispatcher } from './dispatcher.js';
import { createLocalBus, type LocalBus } from './local-bus.js';
import { QueueStore } from './queue-store.js';
import { StreamStore } from './stream-store.js';

export interface FabricOptions
  extends Pick<RuntimeConfig, 'dataDir' | 'databaseUrl' | 'smtpUrl' | 'mailFrom'> {
  clock?: Clock;
  topology?: Topology;
}

/** The embedded fabric: every service of the topology, wired, on one data dir. */
export interface Fabric {
  readonly dataDir: string;
  readonly adminToken: string;
  readonly db: SqlClient;
  readonly clock: Clock;
  readonly topology: Topology;
  readonly lock: DataDirLock;
  readonly objects: ObjectStore;
  readonly bus: LocalBus;
  readonly queues: QueueStore;
  readonly streams: StreamStore;
  readonly dispatcher: Dispatcher;
  readonly statements: StatementsRepository;
  readonly outbox: OutboxMailer;
  readonly events: EventsRepository;
  readonly clients: ClientRegistry;
  close(): Promise<void>;
}

/**
 * Opens the fabric on a data dir: takes the single-owner lock, opens the database (PGlite in
 * the data dir, or `databaseUrl`), applies migrations, makes in-flight messages of a previous,
 * dead owner visible again, and wires every function of the topology to its trigger queue.
 */
export async function openFabric(options: FabricOptions): Promise<Fabric> {
  const clock = options.clock ?? systemClock;
  const topology = options.topology ?? defaultTopology;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = await acquireDataDirLock(options.dataDir);
  let db: SqlClient | undefined;
  try {
    db = options.databaseUrl
      ? await openPostgres(options.databaseUrl)
      : await openPGlite(join(options.dataDir, 'pgdata'));
    await migrate(db);
    const failureQueues = Object.values(topology.functions).flatMap(({ trigger }) =>
      isStreamTrigger(trigger) ? [trigger.onFailure.queue] : [],
    );
    const queues = new QueueStore(db, clock, topology.queues, { failureQueues });
    const streams = new StreamStore(db, clock, topology.streams);
    await streams.ensureShards();
    // Only the embedded fabric may do this: the lock proves the previous owner is gone. On a
    // shared server, other workers' messages reappear after their visibility timeout instead,
    // and their stream leases expire.
    if (!options.databaseUrl) {
      await queues.releaseInFlight();
      await streams.releaseLeases();
    }
    const bus = createLocalBus({ db, clock, queues, rules: topology.rules });
    const objects = createFsObjectStore({
      root: join(options.dataDir, 'buckets'),
      buckets: Object.keys(topology.buckets),
      db,
      clock,
      publishIn: bus.publishIn,
    });
    const statements = createSqlStatementsRepository(db);
    const outbox = createOutboxMailer(db, clock);
    const mailer = options.smtpUrl ? createSmtpMailer(options.smtpUrl, db, clock) : outbox;
    const defaultTemplate = await readDefaultStatementTemplate();
    const events = createSqlEventsRepository(db, clock);
    const clients = createSqlClientRegistry(db, clock);
    const handlers: Record<string, DeployedFunction['handler']> = {
      'statements-ingest': createStatementsIngestHandler({ objects, repository: statements, bus, clock }),
      'statements-notify': createStatementsNotifyHandler({
        objects,
        repository: statements,
        mailer,
        clock,
        defaultTemplate,
        from: options.mailFrom,
      }),
      'events-consume': createEventsConsumeHandler({ registry: defaultSchemaRegistry, repository: events }),
    };
    const functions = Object.entries(topology.functions).map(([name, spec]) => {
      const handler = handlers[name];
      if (!handler) throw new Error(`function "${name}" of the topology has no local handler`);
      return { name, spec, handler };
    });
    const dispatcher = new Dispatcher(db, queues, clock, functions, { streams });
    await dispatcher.open();
    const adminToken = await ensureAdminToken(options.dataDir);
    const opened = db;
    return {
      dataDir: options.dataDir,
      adminToken,
      db: opened,
      clock,
      topology,
      lock,
      objects,
      bus,
      queues,
      streams,
      dispatcher,
      statements,
      outbox,
      events,
      clients,
      async close() {
        await dispatcher.stop();
        await opened.close();
        await lock.release();
      },
    };
  } catch (error) {
    await db?.close().catch(() => {});
    await lock.release();
    throw error;
  }
}
