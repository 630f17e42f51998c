import type { AslDefinition } from '../topology-types.js';

/** Deletes expired orders. They are invisible to every read already; this reclaims the space. */
export function ordersPurgeDefinition(resourceFor: (functionName: string) => string): AslDefinition {
  return {
    Comment: 'Delete orders whose expiry has passed',
    StartAt: 'PurgeExpired',
    States: {
      PurgeExpired: { Type: 'Task', Resource: resourceFor('orders-purge'), TimeoutSeconds: 300, End: true },
    },
  };
}
