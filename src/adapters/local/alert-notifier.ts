import type { Clock } from '../../ports/clock.js';
import type { Alert, AlertDelivery, Notifier } from '../../ports/notifier.js';
import type { SqlClient } from '../sql/sql-client.js';

export interface AlertRecord extends Alert {
  createdAt: Date;
  delivery: Exclude<AlertDelivery, 'duplicate'>;
  attempts: number;
  lastError: string | null;
}

export interface AlertNotifier extends Notifier {
  /** Every alert, newest first. */
  list(limit?: number): Promise<AlertRecord[]>;
}

export interface AlertNotifierOptions {
  db: SqlClient;
  clock: Clock;
  /** A Slack-compatible incoming webhook (`ALERT_WEBHOOK_URL`); without it alerts are only kept. */
  webhookUrl?: string | undefined;
  timeoutMs?: number;
  /** Tries per alert (the first and the retries). */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

/**
 * Records every alert in the `alerts` table (part of the outbox) and posts `{"text": …}` to the
 * webhook, with a timeout and retries (0.5 s, 1 s, …). An alert id seen before is not sent again
 * unless its delivery failed. A webhook that stays down never fails the caller: the alert is kept
 * with `delivery = 'failed'` and its last error.
 */
export function createAlertNotifier(options: AlertNotifierOptions): AlertNotifier {
  const { db, clock } = options;
  const attempts = options.attempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const send = options.fetch ?? fetch;

  async function post(alert: Alert): Promise<{ ok: true } | { ok: false; error: string; tries: number }> {
    let error = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await send(options.webhookUrl as string, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: alert.text }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (response.ok) return { ok: true };
        error = `webhook answered HTTP ${response.status}`;
        // A 4xx will not get better by retrying.
        if (response.status < 500) return { ok: false, error, tries: attempt };
      } catch (caught) {
        error = `webhook did not answer: ${(caught as Error).message}`;
      }
      if (attempt < attempts) await sleep(500 * 2 ** (attempt - 1));
    }
    return { ok: false, error, tries: attempts };
  }

  return {
    async notify(alert) {
      const delivery: AlertDelivery = options.webhookUrl ? 'failed' : 'not-configured';
      const inserted = await db.query(
        `INSERT INTO alerts (id, kind, text, details, created_at, delivery) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO NOTHING`,
        [alert.id, alert.kind, alert.text, JSON.stringify(alert.details), clock.now(), delivery],
      );
      if (inserted.rowCount === 0) {
        const { rows } = await db.query<{ delivery: string }>('SELECT delivery FROM alerts WHERE id = $1', [
          alert.id,
        ]);
        if (rows[0]?.delivery !== 'failed') return 'duplicate';
      }
      if (!options.webhookUrl) return 'not-configured';
      const outcome = await post(alert);
      await db.query(
        'UPDATE alerts SET delivery = $2, attempts = attempts + $3, last_error = $4 WHERE id = $1',
        [
          alert.id,
          outcome.ok ? 'delivered' : 'failed',
          outcome.ok ? 1 : outcome.tries,
          outcome.ok ? null : outcome.error,
        ],
      );
      return outcome.ok ? 'delivered' : 'failed';
    },
    async list(limit = 1000) {
      const { rows } = await db.query<AlertRecord>(
        `SELECT id, kind, text, details, created_at AS "createdAt", delivery, attempts, last_error AS "lastError"
         FROM alerts ORDER BY created_at DESC, id DESC LIMIT $1`,
        [limit],
      );
      return rows;
    },
  };
}
