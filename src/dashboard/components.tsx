import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';

/** `2026-11-22 09:10:05 UTC`: one zone for everyone who reads the page or a screenshot. */
export function formatTime(value: Date | string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export const Time: FC<{ value: Date | string | number | null | undefined }> = ({ value }) =>
  value === null || value === undefined ? (
    <span class="muted">—</span>
  ) : (
    <time datetime={new Date(value).toISOString()}>{formatTime(value)}</time>
  );

/** `1 h 5 min`, `42 s`, `3 d 4 h`: two units at most. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [
    [d, 'd'],
    [h, 'h'],
    [m, 'min'],
    [s, 's'],
  ].filter(([n]) => (n as number) > 0);
  if (parts.length === 0) return '0 s';
  return (
    sign +
    parts
      .slice(0, 2)
      .map(([n, unit]) => `${n} ${unit}`)
      .join(' ')
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const formatNumber = (n: number): string => n.toLocaleString('en-US');

/** JSON safe inside a `<script>` element: no `</script>`, no `<!--`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A Chart.js chart: the configuration travels as JSON beside the canvas and `dashboard.js` draws
 * it (no inline script, so the CSP stays strict). Give the data as a table too (`children`):
 * a canvas says nothing to a screen reader.
 */
export const Chart: FC<{
  id: string;
  label: string;
  config: { type: string; data: unknown; options?: Record<string, unknown> };
  children?: Child;
}> = ({ id, label, config, children }) => (
  <figure class="chart">
    <div class="chart-canvas">
      <canvas data-chart={`${id}-config`} role="img" aria-label={label} />
    </div>
    <script type="application/json" id={`${id}-config`}>
      {raw(
        jsonForScript({
          ...config,
          // The canvas fills its box; no animation, so a screenshot shows the finished chart.
          options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
        }),
      )}
    </script>
    <figcaption>{label}</figcaption>
    {children}
  </figure>
);

export const Empty: FC<{ children?: Child }> = ({ children }) => <p class="empty">{children}</p>;

const statusClass: Record<string, string> = {
  SUCCEEDED: 'ok',
  loaded: 'ok',
  accepted: 'ok',
  sent: 'ok',
  delivered: 'ok',
  RUNNING: 'running',
  pending: 'running',
  FAILED: 'bad',
  TIMED_OUT: 'bad',
  ABORTED: 'bad',
  failed: 'bad',
  rejected: 'bad',
  expired: 'muted',
  unmatched: 'warn',
};

/** A status as a coloured label; the word carries the meaning, the colour only helps. */
export const Status: FC<{ value: string }> = ({ value }) => (
  <span class={`status status-${statusClass[value] ?? 'plain'}`}>{value}</span>
);

export const Json: FC<{ value: unknown }> = ({ value }) => (
  <pre class="json">{value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>
);

export const Notice: FC<{ kind?: 'ok' | 'error'; children?: Child }> = ({ kind = 'ok', children }) => (
  <p class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </p>
);

/** A table that scrolls sideways on a narrow screen instead of overflowing the page. */
export const TableWrap: FC<{ label: string; children?: Child }> = ({ label, children }) => (
  <section class="table-wrap" aria-label={label} tabindex={0}>
    {children}
  </section>
);
