/** An EventBridge event as delivered to targets. */
export interface BusEvent<D = unknown> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

/** What a producer supplies; the bus fills in id, time, account, region and version. */
export interface BusEventInput<D = unknown> {
  source: string;
  detailType: string;
  detail: D;
  resources?: string[];
}

/** Bus publisher port (EventBridge PutEvents). */
export interface BusPublisher {
  publish(events: BusEventInput[]): Promise<void>;
}
