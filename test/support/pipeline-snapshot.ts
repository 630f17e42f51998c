import type { Fabric } from '../../src/runtime/fabric.js';

/**
 * The final state of every pipeline of a fabric, without what differs between two runs of the
 * same work by construction: generated ids (bus events, messages, execution ids), serial row ids
 * and wall-clock timestamps. Everything the pipelines decided is kept, so two snapshots are
 * equal exactly when both runs had the same effects.
 */
export async function pipelineSnapshot(fabric: Fabric) {
  const rows = async (sql: string) => (await fabric.db.query<Record<string, unknown>>(sql)).rows;
  const executionIds = (await rows('SELECT id FROM workflow_executions')).map((row) => String(row.id));
  /** Execution ids appear in alert ids, texts and stored results: one placeholder for them all. */
  const withoutExecutionIds = (value: unknown) => {
    let text = JSON.stringify(value);
    for (const id of executionIds) text = text.replaceAll(id, '<execution>');
    return JSON.parse(text) as unknown;
  };
  const objects = async (bucket: string) => {
    const listed = await fabric.objects.list(bucket);
    return Promise.all(
      listed.map(async ({ key, etag, metadata }) => {
        if (bucket !== 'order-results') return { key, etag, metadata };
        const chunks: Uint8Array[] = [];
        for await (const chunk of fabric.objects.read(bucket, key)) chunks.push(chunk);
        return { key, body: withoutExecutionIds(JSON.parse(Buffer.concat(chunks).toString('utf8'))) };
      }),
    );
  };
  const accounts = (await rows('SELECT account_id FROM statement_accounts')).map((r) => String(r.account_id));
  return {
    statements: {
      transactions: await rows('SELECT * FROM statement_transactions ORDER BY account_id, transaction_id'),
      accounts: await rows(
        'SELECT account_id, email, name, source FROM statement_accounts ORDER BY account_id',
      ),
      monthly: await Promise.all(accounts.sort().map((id) => fabric.statements.monthlyTotals(id))),
      reports: await rows(
        `SELECT file_id, status, error, accepted, inserted, duplicates, rejected_count, rejected, accounts
         FROM statement_file_reports ORDER BY file_id`,
      ),
      emails: await rows(
        'SELECT id, sender, recipients, subject, html, text, transport FROM outbox ORDER BY id',
      ),
    },
    events: {
      stored: await rows(
        `SELECT id, client, seq, source, type, account_id, event_time, payload, fingerprint, shard_id,
           sequence_number FROM events ORDER BY client, seq`,
      ),
      rejected: await rows(
        `SELECT client, event_id, stage, reasons, raw, shard_id, sequence_number FROM events_rejected
         ORDER BY shard_id, sequence_number, raw`,
      ),
      checkpoints: await rows(
        `SELECT consumer, stream, shard_id, checkpoint, failing_seq, attempts, batch_limit, batch_end
         FROM stream_checkpoints ORDER BY consumer, stream, shard_id`,
      ),
      consumerGroups: await rows(
        'SELECT client, name, committed_seq, delivered_seq FROM event_consumers ORDER BY client, name',
      ),
    },
    orders: {
      orders: await rows(
        'SELECT record_id, parameter_1, parameter_2, status, power, decided_at FROM orders ORDER BY record_id',
      ),
      results: await objects('order-results'),
      alerts: withoutExecutionIds(
        await rows('SELECT id, kind, text, details, delivery, attempts FROM alerts ORDER BY id'),
      ),
      executions: await rows(
        'SELECT state_machine, status, output, error FROM workflow_executions ORDER BY started_at, id',
      ),
    },
    loader: {
      departments: await rows(
        'SELECT id, department, load_file, load_row_number FROM departments ORDER BY 3, 4',
      ),
      jobs: await rows('SELECT id, job, load_file, load_row_number FROM jobs ORDER BY 3, 4'),
      hires: await rows(
        `SELECT id, name, datetime, department_id, job_id, load_file, load_row_number FROM hired_employees
         ORDER BY load_file, load_row_number`,
      ),
      rejected: await rows(
        'SELECT load_file, table_name, row_number, raw, reasons FROM loader_rejected_rows ORDER BY 1, 3',
      ),
      files: await rows(
        'SELECT load_file, table_name, status, rows_loaded, rows_rejected, error, moved_to FROM loader_files ORDER BY 1',
      ),
      landing: await objects('landing'),
    },
    queues: {
      // Work still queued (none once settled), and each distinct dead letter: the same letter
      // twice is one entry to explain, and replaying both has the effect of one.
      waiting: await rows(`SELECT queue, body FROM queue_messages WHERE queue NOT LIKE '%-dlq' ORDER BY id`),
      deadLetters: [
        ...new Set(
          (
            await rows(
              `SELECT queue, source_queue, last_error, body FROM queue_messages WHERE queue LIKE '%-dlq'`,
            )
          ).map((row) => JSON.stringify({ ...row, body: withoutBusIds(String(row.body)) })),
        ),
      ].sort(),
    },
  };
}

/** A bus event as a queue holds it, without the generated event id, time and S3 request id. */
function withoutBusIds(body: string): unknown {
  try {
    const { id: _id, time: _time, detail, ...rest } = JSON.parse(body) as Record<string, unknown>;
    const { 'request-id': _request, ...kept } = (detail ?? {}) as Record<string, unknown>;
    return { ...rest, detail: kept };
  } catch {
    return body;
  }
}
