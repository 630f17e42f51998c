import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApp, servedRoutes } from './api/app.js';
import { type ApiServices, routeGroupServices } from './api/services.js';
import { validateEventPattern } from './runtime/event-pattern.js';
import {
  type FunctionTrigger,
  isApiTrigger,
  isAuthorizerTrigger,
  isQueueTrigger,
  isStreamTrigger,
  type QueueSpec,
  topology,
} from './topology.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The routes of every function behind the HTTP API, by function. */
const apiRoutes = Object.entries(topology.functions).flatMap(([name, fn]) => {
  const trigger: FunctionTrigger = fn.trigger;
  return isApiTrigger(trigger) ? trigger.routes.map((route) => ({ name, route })) : [];
});

/** The local server's app (route registration touches no service, so stand-ins do). */
function localApp() {
  const names = Object.values(routeGroupServices).flat();
  const services = Object.fromEntries(names.map((name) => [name, {}])) as unknown as ApiServices;
  return createApp(services, { auth: false });
}

describe('topology', () => {
  const queues = Object.keys(topology.queues);

  it('targets only declared queues from every rule, with valid event patterns', () => {
    for (const [name, rule] of Object.entries(topology.rules)) {
      expect(queues, `rule ${name}`).toContain(rule.target.queue);
      expect(validateEventPattern(rule.pattern), `rule ${name}`).toEqual({ ok: true });
    }
  });

  it('gives every work queue a declared dead-letter queue and a visibility timeout above its function timeout', () => {
    for (const [name, fn] of Object.entries(topology.functions)) {
      const trigger: FunctionTrigger = fn.trigger;
      if (!isQueueTrigger(trigger)) continue;
      const queue: QueueSpec | undefined = (topology.queues as Record<string, QueueSpec>)[trigger.queue];
      expect(queue, `function ${name}`).toBeDefined();
      expect(queues, `function ${name}`).toContain(queue?.deadLetter?.queue);
      expect(queue?.visibilityTimeoutSeconds, `function ${name}`).toBeGreaterThan(fn.timeoutSeconds);
    }
  });

  it('gives every stream consumer a declared stream, an on-failure queue and Lambda-valid settings', () => {
    const streams = Object.keys(topology.streams);
    for (const [name, fn] of Object.entries(topology.functions)) {
      const trigger: FunctionTrigger = fn.trigger;
      if (!isStreamTrigger(trigger)) continue;
      expect(streams, `function ${name}`).toContain(trigger.stream);
      expect(queues, `function ${name}`).toContain(trigger.onFailure.queue);
      expect(trigger.batchSize, `function ${name}`).toBeGreaterThanOrEqual(1);
      expect(trigger.batchSize, `function ${name}`).toBeLessThanOrEqual(10_000);
      expect(trigger.batchingWindowSeconds, `function ${name}`).toBeLessThanOrEqual(300);
      expect(trigger.maximumRetryAttempts, `function ${name}`).toBeLessThanOrEqual(10_000);
    }
    for (const [name, stream] of Object.entries(topology.streams)) {
      expect(stream.shardCount, `stream ${name}`).toBeGreaterThanOrEqual(1);
      expect(stream.retentionHours, `stream ${name}`).toBeGreaterThanOrEqual(24);
      expect(stream.retentionHours, `stream ${name}`).toBeLessThanOrEqual(8760);
    }
  });

  it('points every function at a handler module that exists', () => {
    const missing = Object.entries(topology.functions)
      .filter(([, fn]) => !existsSync(`${root}${fn.entry}`))
      .map(([name, fn]) => `${name}: ${fn.entry}`);
    expect(missing).toEqual([]);
  });

  it('lists only routes the local app serves for the functions behind the HTTP API', () => {
    expect(apiRoutes.length).toBeGreaterThan(0);
    const served = servedRoutes(localApp());
    for (const { name, route } of apiRoutes) expect(served, `function ${name}`).toContain(route);
  });

  it('gives each HTTP route to one function', () => {
    const owners = new Map<string, string[]>();
    for (const { name, route } of apiRoutes) owners.set(route, [...(owners.get(route) ?? []), name]);
    const shared = [...owners].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
  });

  it('puts one authorizer in front of the HTTP API and answers within its 30-second integration timeout', () => {
    const functions = Object.entries(topology.functions).map(([name, fn]) => ({
      name,
      trigger: fn.trigger as FunctionTrigger,
      timeoutSeconds: fn.timeoutSeconds,
    }));
    expect(functions.filter((fn) => isAuthorizerTrigger(fn.trigger)).map((fn) => fn.name)).toEqual([
      'api-authorizer',
    ]);
    for (const fn of functions.filter((f) => isApiTrigger(f.trigger))) {
      expect(fn.timeoutSeconds, `function ${fn.name}`).toBeLessThan(30);
    }
  });

  it('declares the statements resources of the design', () => {
    expect(Object.keys(topology.buckets)).toEqual(
      expect.arrayContaining(['transactions', 'email-templates']),
    );
    expect(topology.queues['statements-ingest'].deadLetter).toEqual({
      queue: 'statements-ingest-dlq',
      maxReceiveCount: 3,
    });
    expect(topology.rules['statements-csv-uploaded'].pattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['transactions'] }, object: { key: [{ suffix: '.csv' }] } },
    });
    expect(topology.functions['statements-notify'].trigger.queue).toBe('statements-notify');
  });

  it('declares the events resources of the design', () => {
    expect(topology.streams.events.shardCount).toBeGreaterThan(1);
    expect(topology.functions['events-consume'].trigger).toMatchObject({
      stream: 'events',
      bisectBatchOnFunctionError: true,
      onFailure: { queue: 'events-consume-dlq' },
    });
  });
});
