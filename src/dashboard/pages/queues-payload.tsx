import type { FC } from 'hono/jsx';
import { formatBytes } from '../components.js';

/** Longer than this (characters or lines), a payload is folded in a `<details>`. */
const SHORT_CHARS = 240;
const SHORT_LINES = 6;

/** JSON pretty-printed with two spaces; anything else as it came. */
export function prettyPayload(text: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

/**
 * A stored payload (a message body, a rejected record's raw text): pretty-printed when it is
 * JSON, and folded when long so that a table of them stays readable. JSX escapes it.
 */
export const Payload: FC<{ text: string; label: string; open?: boolean }> = ({ text, label, open }) => {
  const pretty = prettyPayload(text);
  const short = pretty.text.length <= SHORT_CHARS && pretty.text.split('\n').length <= SHORT_LINES;
  const block = <pre class="json">{pretty.text}</pre>;
  if (short && !open) return block;
  return (
    <details open={open}>
      <summary>{`${label} (${pretty.json ? 'JSON, ' : ''}${formatBytes(Buffer.byteLength(text))})`}</summary>
      {block}
    </details>
  );
};
