import type { ObjectInfo } from '../../ports/object-store.js';
import { Empty, formatBytes, formatNumber, TableWrap } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { isTextual, type Listing } from './buckets-listing.js';
import { baseName, bucketHref, downloadHref } from './buckets-request.js';
import { Breadcrumbs, BucketPipeline, ListingView, ObjectMeta, UploadZone } from './buckets-views.js';

/** How much of a text object the detail page shows. */
const PREVIEW_BYTES = 16 * 1024;

/** The first bytes of a text object, for a preview; nothing for binary ones. */
export async function readPreview(
  services: DashboardServices,
  info: ObjectInfo,
): Promise<{ text: string; cut: boolean } | undefined> {
  if (!isTextual(info) || info.size === 0) return undefined;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of services.api.objects.read(info.bucket, info.key)) {
    chunks.push(chunk);
    bytes += chunk.byteLength;
    if (bytes >= PREVIEW_BYTES) break;
  }
  const head = Buffer.concat(chunks).subarray(0, PREVIEW_BYTES);
  if (head.includes(0)) return undefined;
  // A cut may split a character: the decoder then shows U+FFFD at the very end, which is honest.
  return { text: new TextDecoder().decode(head), cut: info.size > PREVIEW_BYTES };
}

export const BucketIndexPage = ({
  buckets,
}: {
  buckets: { name: string; description: string; objects: ObjectInfo[] }[];
}) => (
  <Page title="Buckets" current="buckets">
    <p class="muted">
      Every bucket of the topology. Open one to browse its objects by folder, see their metadata, download
      them, or upload files, which starts the pipelines as any upload does.
    </p>
    <TableWrap label="Buckets">
      <table>
        <thead>
          <tr>
            <th scope="col">bucket</th>
            <th scope="col">what it holds</th>
            <th scope="col">pipeline</th>
            <th scope="col" class="num">
              objects
            </th>
            <th scope="col" class="num">
              size
            </th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((bucket) => (
            <tr data-bucket={bucket.name}>
              <th scope="row">
                <a href={bucketHref(bucket.name)}>{bucket.name}</a>
              </th>
              <td>{bucket.description}</td>
              <td>
                <BucketPipeline bucket={bucket.name} />
              </td>
              <td class="num">{formatNumber(bucket.objects.length)}</td>
              <td class="num">{formatBytes(bucket.objects.reduce((sum, o) => sum + o.size, 0))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  </Page>
);

/** One bucket under a prefix; `fragment` renders the listing alone (htmx's refresh). */
export const BucketPage = ({
  bucket,
  prefix,
  folder,
  listing,
  fragment,
}: {
  bucket: string;
  prefix: string;
  folder: string;
  listing: Listing;
  fragment: boolean;
}) => {
  const view = <ListingView bucket={bucket} prefix={prefix} listing={listing} />;
  if (fragment) return view;
  return (
    <Page title={`Bucket ${bucket}`} current="buckets">
      <Breadcrumbs bucket={bucket} prefix={prefix} />
      <p class="muted">
        Pipeline: <BucketPipeline bucket={bucket} />
      </p>
      <form method="get" action={bucketHref(bucket)} class="filters">
        <div>
          <label for="prefix">Prefix</label>
          <input id="prefix" name="prefix" value={prefix} aria-describedby="prefix-help" />
        </div>
        <button type="submit">Show objects</button>
      </form>
      <p id="prefix-help" class="help">
        Keys starting with this text. Folders are the parts between slashes; end the prefix with a slash, as
        in <code>accounts/acct-1/</code>, to upload into a new folder.
      </p>
      <UploadZone bucket={bucket} folder={folder} />
      <h2>Objects</h2>
      {view}
    </Page>
  );
};

export const ObjectPage = ({
  info,
  preview,
}: {
  info: ObjectInfo;
  preview: { text: string; cut: boolean } | undefined;
}) => (
  <Page title={baseName(info.key)} current="buckets">
    <Breadcrumbs bucket={info.bucket} prefix={info.key} objectKey={info.key} />
    <div class="actions">
      <a
        class="button"
        href={downloadHref(info.bucket, info.key)}
        download
        aria-label={`Download ${info.key}`}
      >
        Download
      </a>
      {info.bucket === 'transactions' && info.key.endsWith('.csv') && (
        <a class="button secondary" href={`/ui/statements/file?key=${encodeURIComponent(info.key)}`}>
          Statement file report
        </a>
      )}
    </div>
    <ObjectMeta info={info} />
    <h2>Content</h2>
    {preview === undefined ? (
      <Empty>
        {info.size === 0 ? 'Empty object.' : 'No preview for this content type; download it instead.'}
      </Empty>
    ) : (
      <>
        {preview.cut && (
          <p class="help">{`The first ${formatBytes(PREVIEW_BYTES)} of ${formatBytes(info.size)}.`}</p>
        )}
        <section aria-label={`Content of ${info.key}`}>
          <pre tabindex={0}>{preview.text}</pre>
        </section>
      </>
    )}
  </Page>
);
