import type { Reason } from '../../core/events/types.js';
import type { IncomingEvent, RejectedInput } from '../../ports/events-repository.js';

/**
 * An event whose ID is stored with other content: the reason it is refused and the rejected
 * record kept for it, worded the same on every backend. `id` is the ID as stored (lower-cased).
 */
export function idConflict(event: IncomingEvent, id: string): { reasons: Reason[]; rejected: RejectedInput } {
  const reasons = [
    { path: 'ID', message: `conflicts with the stored event ${id}: same ID, different content` },
  ];
  return {
    reasons,
    rejected: {
      client: event.client,
      eventId: event.id,
      stage: 'conflict',
      reasons,
      raw: JSON.stringify(event.payload),
      position: event.position,
    },
  };
}
