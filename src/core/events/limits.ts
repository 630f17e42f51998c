/**
 * Most records in one producer request: the Kinesis `PutRecords` limit, so one request is at
 * most one stream write on AWS and the embedded stream behaves the same.
 */
export const MAX_RECORDS_PER_REQUEST = 500;

/** Largest request body, in bytes (5 MiB): the Kinesis `PutRecords` limit for a whole request. */
export const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

/**
 * Largest record, in UTF-8 bytes (256 KiB). A valid event is stored as one DynamoDB item
 * (400 KB), with room left for the attributes stored beside the payload; it is also the SQS and
 * EventBridge message limit, so a record can travel through a queue or the bus unchanged.
 */
export const MAX_RECORD_BYTES = 256 * 1024;

/** UTF-8 length of a string, in bytes, without encoding it. */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair: two UTF-16 units, four UTF-8 bytes.
      bytes += 2;
      i += 1;
    } else {
      // The rest of the BMP, lone surrogates included (encoded as U+FFFD), take three bytes.
      bytes += 2;
    }
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
