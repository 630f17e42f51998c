/**
 * Just enough MIME (RFC 5322, 2045–2047) to show a captured message: its header fields as sent,
 * and its inline images, so the HTML part can show them from `data:` URLs inside a sandbox that
 * may load nothing else. Messages come from our own composer or an SMTP client; anything this
 * does not understand is shown raw or left out, never guessed at.
 */

export interface HeaderField {
  name: string;
  /** Unfolded, with RFC 2047 encoded words decoded. */
  value: string;
}

/** The header block of a message (or part) and the offset its body starts at. */
function splitHead(raw: string): { head: string; bodyStart: number } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { head: raw, bodyStart: raw.length };
  return { head: raw.slice(0, match.index), bodyStart: match.index + match[0].length };
}

/** Header fields in order; a folded line (CRLF then space or tab) continues the field above. */
function parseFields(head: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?Caf=C3=A9?=`); whitespace between two of them goes. */
export function decodeWords(value: string): string {
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  return joined.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          );
    try {
      return new TextDecoder(charset.split('*')[0]).decode(bytes);
    } catch {
      return word;
    }
  });
}

/** The message's header fields in order, unfolded and decoded. */
export function messageHeaders(raw: Buffer): HeaderField[] {
  // Header bytes beyond ASCII are UTF-8 when present at all (RFC 6532).
  const { head } = splitHead(raw.toString('utf8'));
  return parseFields(head).map((field) => ({ name: field.name, value: decodeWords(field.value) }));
}

const field = (fields: HeaderField[], name: string) =>
  fields.find((f) => f.name.toLowerCase() === name)?.value;

/** A parameter of a structured field (`boundary`, `charset`), quoted or not. */
function parameter(value: string | undefined, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

const IMAGE_TYPE = /^image\/(png|jpeg|gif|webp)$/;

/**
 * The inline images of a message by Content-ID (without `<>`), as `data:` URLs. Walks nested
 * multiparts; only base64 image parts count (what mail composers write for images).
 */
export function inlineImages(raw: Buffer): Map<string, string> {
  const images = new Map<string, string>();
  // latin1 keeps one character per byte, so offsets and base64 bodies survive untouched.
  const walk = (part: string, depth: number) => {
    if (depth > 10) return;
    const { head, bodyStart } = splitHead(part);
    const fields = parseFields(head);
    const type = field(fields, 'content-type') ?? 'text/plain';
    const mediaType = type.split(';')[0]?.trim().toLowerCase() ?? '';
    const body = part.slice(bodyStart);
    if (mediaType.startsWith('multipart/')) {
      const boundary = parameter(type, 'boundary');
      if (boundary) for (const child of multipartChildren(body, boundary)) walk(child, depth + 1);
      return;
    }
    const id = field(fields, 'content-id')?.replace(/^<|>$/g, '');
    const encoding = field(fields, 'content-transfer-encoding')?.toLowerCase();
    if (id && encoding === 'base64' && IMAGE_TYPE.test(mediaType)) {
      images.set(id, `data:${mediaType};base64,${body.replace(/[^A-Za-z0-9+/=]/g, '')}`);
    }
  };
  walk(raw.toString('latin1'), 0);
  return images;
}

/** The parts between `--boundary` lines, up to `--boundary--`. */
function multipartChildren(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const lines = body.split(/\r?\n/);
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(current.join('\r\n'));
      if (trimmed !== delimiter) break;
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  return parts;
}

/**
 * The HTML with `cid:` references to inline images replaced by their `data:` URLs. A reference
 * to an image the message lacks becomes an empty `data:` URL: the sandbox could not load it
 * anyway, and it must not try the network.
 */
export function inlineCidImages(html: string, images: ReadonlyMap<string, string>): string {
  return html.replace(
    /(src\s*=\s*["']?|url\(\s*["']?)cid:([^"'\s)>]+)/gi,
    (_, before: string, id: string) => {
      let key = id;
      try {
        key = decodeURIComponent(id);
      } catch {
        // A malformed escape: look the id up as written.
      }
      return `${before}${images.get(key) ?? images.get(id) ?? 'data:,'}`;
    },
  );
}
