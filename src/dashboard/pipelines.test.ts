import { describe, expect, it } from 'vitest';
import { topology } from '../topology.js';
import { pipelines, sharedFunctions } from './pipelines.js';

describe('dashboard pipelines', () => {
  const kinds = [
    ['functions', topology.functions],
    ['queues', topology.queues],
    ['buckets', topology.buckets],
    ['streams', topology.streams],
    ['stateMachines', topology.stateMachines],
  ] as const;

  it.each(kinds)('puts every one of the topology %s in exactly one pipeline', (kind, resources) => {
    const shared: readonly string[] = kind === 'functions' ? sharedFunctions : [];
    const listed = pipelines.flatMap((p) => p[kind] as readonly string[]);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed, ...shared].sort()).toEqual(Object.keys(resources).sort());
  });
});
