import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHttpAuctionPlatform } from '../adapters/http/http-auction-platform.js';
import { type AlertNotifier, createAlertNotifier } from '../adapters/local/alert-notifier.js';
import { readDefaultStatementTemplate } from '../adapters/local/default-template.js';
import { createFsObjectStore } from '../adapters/local/fs-object-store.js';
import { createOutboxMailer, type OutboxMailer } from '../adapters/local/outbox-mailer.js';
import { createSimulatedAuctionPlatform } from '../adapters/local/simulated-auction-platform.js';
import { createSmtpMailer } from '../adapters/local/smtp-mailer.js';
import { createSqlClientRegistry } from '../adapters/sql/client-registry.js';
import { createSqlEventsRepository } from '../adapters/sql/events-repository.js';
import { createSqlLoaderRepository } from '../adapters/sql/loader-repository.js';
import { migrate } from '../adapters/sql/migrate.js';
import { createSqlOrdersRepository } from '../adapters/sql/orders-repository.js';
import { openPostgres } from '../adapters/sql/pg-client.js';
import { openPGlite } from '../adapters/sql/pglite-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { createSqlStatementsRepository } from '../adapters/sql/statements-repository.js';
import { defaultSchemaRegistry } from '../core/events/schema-registry.js';
import { defaultRoutingRules, parseRoutingRules, type RoutingRule } from '../core/loader/routing-rules.js';
import { createAuctionTaskHandlers } from '../functions/auction-tasks.js';
import { createEventsConsumeHandler } from '../functions/events-consume.js';
import { createLoaderIngestHandler } from '../functions/loader-ingest.js';
import { createStatementsIngestHandler } from '../functions/statements-ingest.js';
import { createStatementsNotifyHandler } from '../functions/statements-notify.js';
import type { Clock } from '../ports/clock.js';
import type { ClientRegistry, EventsRepository } from '../ports/events-repository.js';
import type { LoaderRepository } from '../ports/loader-repository.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { OrdersRepository } from '../ports/orders-repository.js';
import type { StatementsRepository } from '../ports/statements-repository.js';
import {
  topology as defaultTopology,
  isQueueTrigger,
  isStateMachineTaskTrigger,
  isStreamTrigger,
  type ScheduleSpec,
  type Topology,
} from '../topology.js';
import { ensureAdminToken } from './admin-token.js';
import { systemClock } from './clock.js';
import { ConfigError, type RuntimeConfig } from './config.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { tasksRunTwice } from './deliver-twice.js';
import { type DeployedFunction, Dispatcher } from './dispatcher.js';
import { createLocalBus, type LocalBus } from './local-bus.js';
import { QueueStore } from './queue-store.js';
import { Scheduler } from './scheduler.js';
import { StreamStore } from './stream-store.js';
import { WorkflowRunner } from './workflow-runner.js';

export interface FabricOptions
  extends Pick<RuntimeConfig, 'dataDir' | 'databaseUrl' | 'smtpUrl' | 'mailFrom'>,
    Partial<
      Pick<
        RuntimeConfig,
        | 'orderTtlHours'
        | 'auctionPlatform'
        | 'auctionUrl'
        | 'auctionSeed'
        | 'auctionReadyProbability'
        | 'auctionWaitSeconds'
        | 'auctionMaxAttempts'
        | 'auctionSchedule'
        | 'alertWebhookUrl'
        | 'loaderRulesFile'
        | 'deliverTwice'
      >
    > {
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
  readonly orders: OrdersRepository;
  /** How long an order lives after it is received (24 unless configured). */
  readonly orderTtlHours: number;
  readonly workflows: WorkflowRunner;
  readonly scheduler: Scheduler;
  readonly alerts: AlertNotifier;
  readonly loader: LoaderRepository;
  /** Where landing files go: the rules of `LOADER_RULES`, or the built-in ones. */
  readonly loaderRules: readonly RoutingRule[];
  /** Input of an auction execution: the configured wait and attempts. */
  readonly auctionInput: { waitSeconds: number; maxAttempts: number };
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
  const loaderRules = await readLoaderRules(options.loaderRulesFile);
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
    const orders = createSqlOrdersRepository(db, clock);
    const loader = createSqlLoaderRepository(db);
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
      'loader-ingest': createLoaderIngestHandler({ objects, repository: loader, rules: loaderRules, clock }),
    };
    const alerts = createAlertNotifier({ db, clock, webhookUrl: options.alertWebhookUrl });
    const platform =
      options.auctionPlatform === 'http' && options.auctionUrl
        ? createHttpAuctionPlatform({ url: options.auctionUrl })
        : createSimulatedAuctionPlatform({
            seed: options.auctionSeed ?? 1,
            readyProbability: options.auctionReadyProbability ?? 0.5,
          });
    const tasks = createAuctionTaskHandlers({ orders, platform, notifier: alerts, objects, clock });
    const functions = Object.entries(topology.functions).flatMap(([name, spec]) => {
      const trigger = spec.trigger;
      if (!isQueueTrigger(trigger) && !isStreamTrigger(trigger)) {
        // Invoked by a state machine: the workflow runner calls its handler. API functions and the
        // authorizer are AWS's split of the one app the local server serves, with its own checks.
        if (isStateMachineTaskTrigger(trigger) && !tasks[name]) {
          throw new Error(`function "${name}" of the topology has no local handler`);
        }
        return [];
      }
      const handler = handlers[name];
      if (!handler) throw new Error(`function "${name}" of the topology has no local handler`);
      return [{ name, spec, handler }];
    });
    const deliverTwice = options.deliverTwice ?? 'off';
    if (deliverTwice !== 'off') {
      console.warn(
        `tributary: duplicate delivery (${deliverTwice}): every message, stream batch and workflow task is delivered twice`,
      );
    }
    const workflows = new WorkflowRunner({
      db,
      clock,
      stateMachines: topology.stateMachines,
      tasks: deliverTwice === 'off' ? tasks : tasksRunTwice(tasks),
    });
    // As for in-flight messages: only the lock proves that a RUNNING execution's process is gone.
    if (!options.databaseUrl) await workflows.recoverInterrupted();
    const auctionInput = {
      waitSeconds: options.auctionWaitSeconds ?? 30,
      maxAttempts: options.auctionMaxAttempts ?? 20,
    };
    const schedules: Record<string, ScheduleSpec> = { ...topology.schedules };
    const auctionSchedule = schedules.auction;
    if (auctionSchedule && options.auctionSchedule) {
      schedules.auction = { ...auctionSchedule, expression: options.auctionSchedule };
    }
    const scheduler = new Scheduler({
      db,
      clock,
      schedules,
      start: (stateMachine, input, startOptions) =>
        workflows.start(
          stateMachine,
          stateMachine === 'auction' ? { ...auctionInput, ...(input as object) } : input,
          startOptions,
        ),
    });
    const dispatcher = new Dispatcher(db, queues, clock, functions, { streams, deliverTwice });
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
      orders,
      orderTtlHours: options.orderTtlHours ?? 24,
      workflows,
      scheduler,
      alerts,
      loader,
      loaderRules,
      auctionInput,
      async close() {
        await scheduler.stop();
        await workflows.close();
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

/** The routing rules of a `LOADER_RULES` file, or the built-in ones; a bad file stops start-up. */
async function readLoaderRules(path: string | undefined): Promise<readonly RoutingRule[]> {
  if (!path) return defaultRoutingRules;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `invalid configuration: LOADER_RULES cannot read ${path}: ${(error as Error).message}`,
    );
  }
  try {
    return parseRoutingRules(text);
  } catch (error) {
    throw new ConfigError(`invalid configuration: LOADER_RULES ${path}: ${(error as Error).message}`);
  }
}
