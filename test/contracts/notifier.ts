import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert, Notifier } from '../../src/ports/notifier.js';

export interface NotifierContext {
  notifier: Notifier;
  /** Another notifier over the same record of alerts: another process or Lambda instance. */
  another(): Notifier;
  /** A notifier over the same record of alerts whose channel does not answer. */
  unreachable(): Notifier;
  /** What the channel received since this setup (each message's text), oldest first. */
  delivered(): Promise<string[]>;
}

/** An order-rejected alert under a fresh id. */
export function rejectedOrderAlert(): Alert {
  const order = `o-${randomBytes(4).toString('hex')}`;
  return {
    id: `exec-1/rejected/${order}`,
    kind: 'order-rejected',
    text: `Order ${order} rejected by the auction platform`,
    details: { recordId: order, reason: 'price out of range' },
  };
}

/**
 * The Notifier port for every backend: the local alert notifier (a webhook) and SNS (fauxqs).
 * `setup` runs before each test and gives a notifier whose channel has received nothing yet;
 * its retry waits should be instant.
 */
export function notifierContract(name: string, setup: () => Promise<NotifierContext>): void {
  describe(`${name}: notifier contract`, () => {
    let context: NotifierContext;
    beforeEach(async () => {
      context = await setup();
    });

    it('delivers an alert once per id: raised again, here or elsewhere, it is a duplicate', async () => {
      const alert = rejectedOrderAlert();
      expect(await context.notifier.notify(alert)).toBe('delivered');
      expect(await context.notifier.notify(alert)).toBe('duplicate');
      expect(await context.another().notify(alert)).toBe('duplicate');
      const delivered = await context.delivered();
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toContain(alert.text);
    });

    it('delivers alerts of different ids each', async () => {
      const first = rejectedOrderAlert();
      const second = rejectedOrderAlert();
      expect(await context.notifier.notify(first)).toBe('delivered');
      expect(await context.another().notify(second)).toBe('delivered');
      const delivered = await context.delivered();
      expect(delivered).toHaveLength(2);
      expect(delivered[0]).toContain(first.text);
      expect(delivered[1]).toContain(second.text);
    });

    it('reports a channel that does not answer as failed, without throwing, and tries again when raised again', async () => {
      const alert = rejectedOrderAlert();
      expect(await context.unreachable().notify(alert)).toBe('failed');
      expect(await context.unreachable().notify(alert)).toBe('failed');
      expect(await context.delivered()).toEqual([]);
      expect(await context.notifier.notify(alert)).toBe('delivered');
      expect(await context.notifier.notify(alert)).toBe('duplicate');
      expect(await context.delivered()).toHaveLength(1);
    });
  });
}
