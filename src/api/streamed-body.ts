/**
 * A request body streamed on, at most `maxBytes` of it: for uploads, which go to disk as they
 * arrive. Hono's `bodyLimit` does not fit them: a body sent without a length (chunked, as `curl -T -`
 * or a streaming `fetch` sends it) is read whole into memory before the route sees a byte, up to
 * the limit, 2 GiB for an object. Here a declared length over the limit is refused at once, and a
 * chunked body is counted as it streams; `tooLarge()` is thrown either way, before or during the
 * iteration, and the object store then drops what it had written.
 *
 * @example
 * const body = limitedBody(c.req.raw, MAX_OBJECT_BYTES, () => new ApiError(413, 'too_large', '…'));
 * await services.putObject({ bucket, key, body });
 */
export function limitedBody(
  request: Request,
  maxBytes: number,
  tooLarge: () => Error,
): AsyncIterable<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && !request.headers.has('transfer-encoding') && Number(declared) > maxBytes) {
    throw tooLarge();
  }
  const body = request.body as AsyncIterable<Uint8Array> | null;
  return (async function* () {
    if (!body) return;
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      yield chunk;
    }
  })();
}
