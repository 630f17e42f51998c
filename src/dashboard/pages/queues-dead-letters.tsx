import type { FC } from 'hono/jsx';
import type { DeadLetter } from '../../api/services.js';
import { Empty, Time } from '../components.js';
import { messages, type QueueView, shortId } from './queues-model.js';
import { Payload } from './queues-payload.js';
import { queueHref } from './queues-tables.js';

/** Where an action sends the operator back to: the list of queues, or the queue's own page. */
export type Back = 'list' | 'queue';

const actionHref = (queue: string, action: string) => `${queueHref(queue)}/${action}`;

const BackField: FC<{ back: Back }> = ({ back }) => <input type="hidden" name="back" value={back} />;

/** Replay all and purge: for the whole of one DLQ. */
const QueueActions: FC<{ queue: QueueView; count: number; back: Back }> = ({ queue, count, back }) => (
  <div class="actions">
    <form method="post" action={actionHref(queue.name, 'replay')}>
      <BackField back={back} />
      <button type="submit" aria-label={`Replay all ${messages(count)} of ${queue.name}`}>
        Replay all
      </button>
    </form>
    <form method="post" action={actionHref(queue.name, 'purge')}>
      <BackField back={back} />
      <button type="submit" class="danger" aria-label={`Purge all ${messages(count)} of ${queue.name}`}>
        Purge all
      </button>
    </form>
  </div>
);

/** One dead letter: what and why, its body, and its replay button. */
const Letter: FC<{ letter: DeadLetter; back: Back }> = ({ letter, back }) => (
  <article class="card" data-message={letter.messageId} aria-label={`Message ${shortId(letter.messageId)}`}>
    <dl class="meta">
      <dt>message</dt>
      <dd>
        <code>{letter.messageId}</code>
      </dd>
      <dt>source</dt>
      <dd>{letter.sourceQueue ?? '—'}</dd>
      <dt>receives</dt>
      <dd>{letter.receiveCount}</dd>
      <dt>sent</dt>
      <dd>
        <Time value={letter.sentAt} />
      </dd>
      <dt>last error</dt>
      <dd class="last-error">{letter.lastError ?? '—'}</dd>
    </dl>
    <Payload text={letter.body} label="Body" />
    <form
      method="post"
      action={`${actionHref(letter.queue, 'messages')}/${encodeURIComponent(letter.messageId)}/replay`}
      class="actions"
    >
      <BackField back={back} />
      <button type="submit" aria-label={`Replay message ${shortId(letter.messageId)}`}>
        Replay
      </button>
    </form>
  </article>
);

/**
 * One dead-letter queue: its messages with the reason each failed, and the actions. `limit`
 * keeps the list of all queues short; the queue's own page shows every message.
 */
export const DeadLetterSection: FC<{
  queue: QueueView;
  letters: DeadLetter[];
  back: Back;
  limit?: number;
}> = ({ queue, letters, back, limit }) => {
  const shown = limit === undefined ? letters : letters.slice(0, limit);
  const heading = `dlq-${queue.name}`;
  return (
    <section aria-labelledby={heading} data-dlq={queue.name}>
      <h3 id={heading}>
        {back === 'list' ? <a href={queueHref(queue.name)}>{queue.name}</a> : queue.name}
        {` · ${messages(letters.length)}`}
      </h3>
      {letters.length === 0 ? (
        <Empty>{`No dead letters of ${queue.sources.join(', ')}.`}</Empty>
      ) : (
        <>
          <p class="muted">{`Dead letters of ${queue.sources.join(', ')}. Replay sends a message back to where it came from.`}</p>
          <QueueActions queue={queue} count={letters.length} back={back} />
          <ul class="plain cards" aria-label={`Dead letters of ${queue.name}`}>
            {shown.map((letter) => (
              <li>
                <Letter letter={letter} back={back} />
              </li>
            ))}
          </ul>
          {shown.length < letters.length && (
            <p>
              <a href={queueHref(queue.name)}>{`All ${messages(letters.length)} of ${queue.name}`}</a>
            </p>
          )}
        </>
      )}
    </section>
  );
};
