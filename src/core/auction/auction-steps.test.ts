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

describe('notifyAuction', () => {
  it('alerts on a rejected order before marking it, so an order is never decided without its alert', async () => {
    const steps: string[] = [];
    const orders = {
      markResult: async (recordId: string) => {
        steps.push(`mark ${recordId}`);
        return true;
      },
    };
    const notifier = {
      notify: async (alert: Alert) => {
        steps.push(`alert ${alert.id}`);
        return 'not-configured' as const;
      },
    };
    expect(await notifyAuction(rejected, { orders, notifier, clock })).toEqual({
      record_id: 'o-1',
      status: 'rejected',
      alerted: true,
    });
    expect(steps).toEqual(['alert exec-1/rejected/o-1', 'mark o-1']);
  });

  it('leaves a rejected order pending when its alert cannot be raised, for the next run to alert on', async () => {
    const marked: string[] = [];
    const orders = {
      markResult: async (recordId: string) => {
        marked.push(recordId);
        return true;
      },
    };
    const notifier = {
      notify: async () => {
        throw new Error('the database is gone');
      },
    };
    await expect(notifyAuction(rejected, { orders, notifier, clock })).rejects.toThrow(
      'the database is gone',
    );
    expect(marked).toEqual([]);
  });

  it('deletes the result object an interrupted run wrote for an order it now rejects, before the mark', async () => {
    const steps: string[] = [];
    const orders = {
      markResult: async (recordId: string) => {
        steps.push(`mark ${recordId}`);
        return true;
      },
    };
    const notifier = {
      notify: async (alert: Alert) => {
        steps.push(`alert ${alert.id}`);
        return 'not-configured' as const;
      },
    };
    const objects = {
      delete: async (bucket: string, key: string) => {
        steps.push(`delete ${bucket}/${key}`);
      },
    };
    await notifyAuction(rejected, { orders, notifier, clock, objects });
    expect(steps).toEqual(['alert exec-1/rejected/o-1', 'delete order-results/orders/o-1.json', 'mark o-1']);
  });
});
