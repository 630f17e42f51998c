import type { FC } from 'hono/jsx';
import type { StreamDescription } from '../../ports/stream.js';
import { Empty, formatDuration, formatNumber, TableWrap, Time } from '../components.js';
import type { QueueView } from './queues-model.js';

export const queueHref = (name: string) => `/ui/queues/${encodeURIComponent(name)}`;

/** How long a message stays, and where it goes when it keeps failing. */
export const QueueSettings: FC<{ queue: QueueView }> = ({ queue }) => (
  <>
    {queue.spec.deadLetter ? (
      <>
        {'to '}
        <a href={queueHref(queue.spec.deadLetter.queue)}>{queue.spec.deadLetter.queue}</a>
        {` after ${queue.spec.deadLetter.maxReceiveCount} receives`}
      </>
    ) : queue.deadLetter ? (
      <>
        {'dead letters of '}
        {queue.sources.map((source, i) => (
          <>
            {i > 0 && ', '}
            {source.startsWith('stream ') ? source : <a href={queueHref(source)}>{source}</a>}
          </>
        ))}
      </>
    ) : (
      'no DLQ: retried until purged'
    )}
    <br />
    <span class="muted">
      {`visibility ${formatDuration(queue.spec.visibilityTimeoutSeconds * 1000)}, kept ${formatDuration(
        queue.spec.retentionSeconds * 1000,
      )}`}
    </span>
  </>
);

/**
 * Every queue with its counts. It is refreshed in place (htmx), so the links carry ids: htmx
 * gives focus back to the element with the same id after a swap.
 */
export const QueueTable: FC<{ queues: QueueView[] }> = ({ queues }) => (
  <TableWrap label="Queues">
    <table>
      <caption>Queues and their messages</caption>
      <thead>
        <tr>
          <th scope="col">queue</th>
          <th scope="col" class="num">
            visible
          </th>
          <th scope="col" class="num">
            in flight
          </th>
          <th scope="col" class="num">
            delayed
          </th>
          <th scope="col">what it holds</th>
          <th scope="col">redrive and retention</th>
        </tr>
      </thead>
      <tbody>
        {queues.map((queue) => {
          const waiting = queue.depth.visible + queue.depth.delayed;
          return (
            <tr data-queue={queue.name} class={queue.deadLetter && waiting > 0 ? 'bad' : ''}>
              <th scope="row">
                <a id={`queue-link-${queue.name}`} href={queueHref(queue.name)}>
                  {queue.name}
                </a>
                {queue.deadLetter && <span class="muted"> (DLQ)</span>}
              </th>
              <td class="num" data-count="visible">
                {formatNumber(queue.depth.visible)}
              </td>
              <td class="num" data-count="inFlight">
                {formatNumber(queue.depth.inFlight)}
              </td>
              <td class="num" data-count="delayed">
                {formatNumber(queue.depth.delayed)}
              </td>
              <td>{queue.spec.description}</td>
              <td>
                <QueueSettings queue={queue} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  </TableWrap>
);

/** A stream's shards, and each consumer's position, lag and retry state on each shard. */
export const StreamTables: FC<{ stream: StreamDescription }> = ({ stream }) => (
  <section aria-labelledby={`stream-${stream.stream}`} data-stream={stream.stream}>
    <h3 id={`stream-${stream.stream}`}>{`Stream ${stream.stream}`}</h3>
    <p class="muted">
      {`${stream.shardCount} shards, records kept ${formatDuration(stream.retentionHours * 3600 * 1000)}, ${formatNumber(
        stream.shards.reduce((sum, s) => sum + s.records, 0),
      )} records retained.`}
    </p>
    <TableWrap label={`Shards of stream ${stream.stream}`}>
      <table>
        <caption>Shards</caption>
        <thead>
          <tr>
            <th scope="col">shard</th>
            <th scope="col" class="num">
              records
            </th>
            <th scope="col">last sequence number</th>
          </tr>
        </thead>
        <tbody>
          {stream.shards.map((shard) => (
            <tr>
              <th scope="row">{shard.shardId}</th>
              <td class="num">{formatNumber(shard.records)}</td>
              <td>{shard.lastSequenceNumber ? <code>{shard.lastSequenceNumber}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
    {stream.consumers.length === 0 ? (
      <Empty>No consumer has read this stream yet.</Empty>
    ) : (
      <TableWrap label={`Consumers of stream ${stream.stream}`}>
        <table>
          <caption>Consumers</caption>
          <thead>
            <tr>
              <th scope="col">consumer</th>
              <th scope="col">shard</th>
              <th scope="col">checkpoint</th>
              <th scope="col" class="num">
                lag
              </th>
              <th scope="col">retry state</th>
              <th scope="col">last error</th>
            </tr>
          </thead>
          <tbody>
            {stream.consumers.map((c) => (
              <tr class={c.lastError ? 'bad' : ''}>
                <th scope="row">{c.consumer}</th>
                <td>{c.shardId}</td>
                <td>{c.checkpoint ? <code>{c.checkpoint}</code> : 'none yet'}</td>
                <td class="num">{formatNumber(c.lag)}</td>
                <td>
                  {c.attempts > 0 ? (
                    <>
                      {`${c.attempts} failed attempts`}
                      {c.retryAt && (
                        <>
                          {', next '}
                          <Time value={c.retryAt} />
                        </>
                      )}
                    </>
                  ) : (
                    'none'
                  )}
                </td>
                <td>{c.lastError ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    )}
  </section>
);
