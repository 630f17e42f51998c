import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { Empty, formatNumber, Notice, Time } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { type Back, DeadLetterSection } from './queues-dead-letters.js';
import {
  findDeadLetterQueue,
  findQueue,
  loadQueues,
  messages,
  type QueuesData,
  type QueueView,
} from './queues-model.js';
import { QueueSettings, QueueTable, queueHref, StreamTables } from './queues-tables.js';

/** How often the counts refresh themselves. */
const REFRESH = 'every 2s';
/** Dead letters listed per queue on the page of all queues; each queue's page lists them all. */
const LIST_LIMIT = 20;

const resultQuery = z
  .object({
    done: z.enum(['replayed', 'purged']).optional(),
    count: z.coerce.number().int().min(0).optional(),
  })
  .refine((q) => (q.done === undefined) === (q.count === undefined), {
    message: 'give done and count together',
  });

const liveQuery = z.object({ part: z.enum(['queues', 'streams']) });

const actionForm = z.object({ back: z.enum(['list', 'queue']).default('list') });

/** Zod's complaint as one sentence that names the field. */
function badInput(where: string, error: z.ZodError): HTTPException {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || where;
  return new HTTPException(400, { message: `Bad ${where} "${field}": ${issue?.message ?? 'invalid'}.` });
}

/** The result of the action that redirected here, as a sentence. */
function resultNotice(c: Context): string | undefined {
  const parsed = resultQuery.safeParse(c.req.query());
  if (!parsed.success) throw badInput('query parameter', parsed.error);
  const { done, count } = parsed.data;
  if (done === undefined || count === undefined) return undefined;
  if (done === 'purged') return `Purged ${messages(count)}.`;
  if (count === 0) return 'Nothing to replay: no dead letters were left.';
  return `Replayed ${messages(count)}: back in the source queue; the counts show the delivery.`;
}

const LiveQueues = ({ data }: { data: QueuesData }) => (
  <div id="queues-live" hx-get="/ui/queues/live?part=queues" hx-trigger={REFRESH} hx-swap="outerHTML">
    <p class="muted" aria-live="off">
      Updated <Time value={data.now} />. Messages in work queues are not listed (they move fast); their counts
      are.
    </p>
    <QueueTable queues={data.queues} />
  </div>
);

const LiveStreams = ({ data }: { data: QueuesData }) => (
  <div id="streams-live" hx-get="/ui/queues/live?part=streams" hx-trigger={REFRESH} hx-swap="outerHTML">
    {data.streams.length === 0 ? (
      <Empty>No streams.</Empty>
    ) : (
      data.streams.map((stream) => <StreamTables stream={stream} />)
    )}
  </div>
);

const LiveQueue = ({ queue, now }: { queue: QueueView; now: Date }) => (
  <div
    id="queue-live"
    hx-get={`${queueHref(queue.name)}/live`}
    hx-trigger={REFRESH}
    hx-swap="outerHTML"
    data-queue={queue.name}
  >
    <dl class="figures">
      <div class={queue.deadLetter && queue.depth.visible > 0 ? 'bad' : ''}>
        <dt>visible</dt>
        <dd data-count="visible">{formatNumber(queue.depth.visible)}</dd>
      </div>
      <div>
        <dt>in flight</dt>
        <dd data-count="inFlight">{formatNumber(queue.depth.inFlight)}</dd>
      </div>
      <div>
        <dt>delayed</dt>
        <dd data-count="delayed">{formatNumber(queue.depth.delayed)}</dd>
      </div>
    </dl>
    <p class="muted" aria-live="off">
      Updated <Time value={now} />.
    </p>
  </div>
);

const QueuePage = ({ data, queue, notice }: { data: QueuesData; queue: QueueView; notice?: string }) => (
  <Page title={`Queue ${queue.name}`} current="queues">
    <nav aria-label="Breadcrumbs">
      <ol class="breadcrumbs">
        <li>
          <a href="/ui/queues">Queues</a>
        </li>
        <li aria-current="page">{queue.name}</li>
      </ol>
    </nav>
    {notice && <Notice>{notice}</Notice>}
    <p>{queue.spec.description}</p>
    <LiveQueue queue={queue} now={data.now} />
    <dl class="meta">
      <dt>kind</dt>
      <dd>{queue.deadLetter ? 'dead-letter queue' : 'work queue'}</dd>
      <dt>redrive and retention</dt>
      <dd>
        <QueueSettings queue={queue} />
      </dd>
      <dt>consumed by</dt>
      <dd>{queue.consumers.map((f) => `${f.name} (batches of ${f.batchSize})`).join(', ') || 'nobody'}</dd>
      <dt>fed by rules</dt>
      <dd>{queue.rules.join(', ') || '—'}</dd>
    </dl>
    {queue.deadLetter ? (
      <DeadLetterSection
        queue={queue}
        letters={data.deadLetters.filter((l) => l.queue === queue.name)}
        back="queue"
      />
    ) : (
      <p class="muted">
        Messages of work queues are not listed: they move fast. Those that keep failing go to the dead-letter
        queue named above, where they can be read and replayed.
      </p>
    )}
  </Page>
);

/** Back to the page the action was taken on, with its result in the query. */
function redirectBack(c: Context, queue: string, back: Back, done: 'replayed' | 'purged', count: number) {
  const base = back === 'queue' ? queueHref(queue) : '/ui/queues';
  return c.redirect(`${base}?done=${done}&count=${count}`, 303);
}

async function backOf(c: Context): Promise<Back> {
  const parsed = actionForm.safeParse(await c.req.parseBody());
  if (!parsed.success) throw badInput('form field', parsed.error);
  return parsed.data.back;
}

/**
 * `/ui/queues`: every queue with its counts and redrive settings, the streams with each consumer's
 * position, and the dead letters with replay and purge; `/ui/queues/:queue`: one queue.
 */
export function registerQueuePages(app: Hono, services: DashboardServices): void {
  app.get('/ui/queues', async (c) => {
    const notice = resultNotice(c);
    const data = await loadQueues(services);
    const dlqs = data.queues.filter((q) => q.deadLetter);
    return c.html(
      <Page title="Queues and dead letters" current="queues">
        {notice && <Notice>{notice}</Notice>}
        <LiveQueues data={data} />
        <h2 id="dead-letters">Dead letters</h2>
        {dlqs.map((queue) => (
          <DeadLetterSection
            queue={queue}
            letters={data.deadLetters.filter((l) => l.queue === queue.name)}
            back="list"
            limit={LIST_LIMIT}
          />
        ))}
        <h2>Streams</h2>
        <LiveStreams data={data} />
      </Page>,
    );
  });

  // Before `/ui/queues/:queue`, which would take "live" for a queue name.
  app.get('/ui/queues/live', async (c) => {
    const parsed = liveQuery.safeParse(c.req.query());
    if (!parsed.success) throw badInput('query parameter', parsed.error);
    const data = await loadQueues(services);
    return c.html(parsed.data.part === 'queues' ? <LiveQueues data={data} /> : <LiveStreams data={data} />);
  });

  app.get('/ui/queues/:queue', async (c) => {
    const notice = resultNotice(c);
    const data = await loadQueues(services);
    const queue = findQueue(data.queues, c.req.param('queue'));
    return c.html(<QueuePage data={data} queue={queue} notice={notice} />);
  });

  app.get('/ui/queues/:queue/live', async (c) => {
    const data = await loadQueues(services);
    return c.html(<LiveQueue queue={findQueue(data.queues, c.req.param('queue'))} now={data.now} />);
  });

  app.post('/ui/queues/:queue/messages/:id/replay', async (c) => {
    const back = await backOf(c);
    const { queue: name, id } = c.req.param();
    const { queues, deadLetters } = await loadQueues(services);
    const queue = findDeadLetterQueue(queues, name, 'replayed');
    if (!deadLetters.some((l) => l.queue === queue.name && l.messageId === id)) {
      throw new HTTPException(404, {
        message: `No dead letter "${id}" in ${queue.name}: it may have been replayed or purged already.`,
      });
    }
    return redirectBack(c, queue.name, back, 'replayed', await services.api.deadLetters.replay([id]));
  });

  app.post('/ui/queues/:queue/replay', async (c) => {
    const back = await backOf(c);
    const { queues, deadLetters } = await loadQueues(services);
    const queue = findDeadLetterQueue(queues, c.req.param('queue'), 'replayed');
    // Only this queue's ids: 'all' would replay every dead-letter queue.
    const ids = deadLetters.filter((l) => l.queue === queue.name).map((l) => l.messageId);
    const count = ids.length === 0 ? 0 : await services.api.deadLetters.replay(ids);
    return redirectBack(c, queue.name, back, 'replayed', count);
  });

  app.post('/ui/queues/:queue/purge', async (c) => {
    const back = await backOf(c);
    const { queues } = await loadQueues(services);
    const queue = findDeadLetterQueue(queues, c.req.param('queue'), 'purged');
    return redirectBack(c, queue.name, back, 'purged', await services.api.deadLetters.purge(queue.name));
  });
}
