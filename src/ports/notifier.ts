/** An operator alert: a rejected order, an auction that gave up or failed. */
export interface Alert {
  /** Stable: the same alert raised twice (a retried task) is recorded and delivered once. */
  id: string;
  kind: 'order-rejected' | 'auction-no-results' | 'auction-failed';
  /** One line for a chat channel (Slack-compatible `{"text": …}`). */
  text: string;
  details: Record<string, unknown>;
}

/** Where an alert ended up. `not-configured`: no webhook URL; the outbox still has it. */
export type AlertDelivery = 'delivered' | 'duplicate' | 'failed' | 'not-configured';

/** Notifier port: a chat webhook locally and on AWS (SNS there as well); every alert is kept. */
export interface Notifier {
  notify(alert: Alert): Promise<AlertDelivery>;
}
