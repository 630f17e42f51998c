import { describe, expect, it } from 'vitest';
import type { Alert } from '../../ports/notifier.js';
import { notifyAuction } from './auction-steps.js';

const clock = { now: () => new Date('2024-09-01T10:00:00Z') };
const rejected = {
  kind: 'order-rejected',
  executionId: 'exec-1',
  result: { record_id: 'o-1', status: 'rejected', power: 0 },
  rejection: {},
} as const;

/**
 * Orders, notifier and object store that record what each step did, in order; `failAlert` makes
 * the alert throw (a notifier whose database is gone).
 */
function recordingDeps(options: { failAlert?: boolean } = {}) {
  const steps: string[] = [];
  return {
    steps,
    deps: {
      clock,
      orders: {
        markResult: async (recordId: string) => {
          steps.push(`mark ${recordId}`);
          return true;
        },
      },
      notifier: {
        notify: async (alert: Alert) => {
          if (options.failAlert) throw new Error('the database is gone');
          steps.push(`alert ${alert.id}`);
          return 'not-configured' as const;
        },
      },
      objects: {
        delete: async (bucket: string, key: string) => {
          steps.push(`delete ${bucket}/${key}`);
        },
      },
    },
  };
}

describe('notifyAuction', () => {
  it('alerts on a rejected order before marking it, so an order is never decided without its alert', async () => {
    const { steps, deps } = recordingDeps();
    const { objects: _none, ...withoutObjects } = deps;
    expect(await notifyAuction(rejected, withoutObjects)).toEqual({
      record_id: 'o-1',
      status: 'rejected',
      alerted: true,
    });
    expect(steps).toEqual(['alert exec-1/rejected/o-1', 'mark o-1']);
  });

  it('leaves a rejected order pending when its alert cannot be raised, for the next run to alert on', async () => {
    const { steps, deps } = recordingDeps({ failAlert: true });
    await expect(notifyAuction(rejected, deps)).rejects.toThrow('the database is gone');
    expect(steps).toEqual([]);
  });

  it('deletes the result object an interrupted run wrote for an order it now rejects, before the mark', async () => {
    const { steps, deps } = recordingDeps();
    await notifyAuction(rejected, deps);
    expect(steps).toEqual(['alert exec-1/rejected/o-1', 'delete order-results/orders/o-1.json', 'mark o-1']);
  });
});
