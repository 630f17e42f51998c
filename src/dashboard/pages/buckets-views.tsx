import type { ObjectInfo } from '../../ports/object-store.js';
import { Empty, formatBytes, formatNumber, TableWrap, Time } from '../components.js';
import { pipelines } from '../pipelines.js';
import { type Listing, MAX_ENTRIES, prefixCrumbs } from './buckets-listing.js';
import { baseName, bucketHref, downloadHref, objectHref } from './buckets-request.js';

/** The pipeline a bucket feeds or holds results of, linked, or nothing. */
export const BucketPipeline = ({ bucket }: { bucket: string }) => {
  const pipeline = pipelines.find((p) => p.buckets.includes(bucket));
  return pipeline ? <a href={pipeline.href}>{pipeline.id}</a> : <span class="muted">—</span>;
};

/** Buckets › bucket › folder › …, the last one the current page. */
export const Breadcrumbs = ({
  bucket,
  prefix,
  objectKey,
}: {
  bucket: string;
  prefix: string;
  objectKey?: string;
}) => {
  const crumbs = prefixCrumbs(prefix);
  const last = objectKey === undefined ? (crumbs.at(-1)?.prefix ?? '') : undefined;
  return (
    <nav aria-label="Breadcrumbs">
      <ol class="breadcrumbs">
        <li>
          <a href="/ui/buckets">Buckets</a>
        </li>
        <li>
          <a href={bucketHref(bucket)} aria-current={last === '' ? 'page' : undefined}>
            {bucket}
          </a>
        </li>
        {crumbs.map((crumb) => (
          <li>
            <a
              href={bucketHref(bucket, crumb.prefix)}
              aria-current={last === crumb.prefix ? 'page' : undefined}
            >
              {crumb.name || '(empty name)'}
            </a>
          </li>
        ))}
        {objectKey !== undefined && (
          <li>
            <span aria-current="page">{baseName(objectKey)}</span>
          </li>
        )}
      </ol>
    </nav>
  );
};

/**
 * The objects and folders under a prefix. It reloads itself (htmx, same URL, which answers a
 * fragment to htmx) when `dashboard.js` reports an upload, so a dropped file shows up at once.
 */
export const ListingView = ({
  bucket,
  prefix,
  listing,
}: {
  bucket: string;
  prefix: string;
  listing: Listing;
}) => (
  <div
    id="bucket-listing"
    hx-get={bucketHref(bucket, prefix)}
    hx-trigger="tributary:uploaded from:document"
    hx-swap="outerHTML"
  >
    {listing.total > listing.entries.length && (
      <p class="notice notice-ok" role="status">
        {`Showing the first ${formatNumber(MAX_ENTRIES)} of ${formatNumber(listing.total)} entries. Narrow the prefix to see the others.`}
      </p>
    )}
    {listing.entries.length === 0 ? (
      <Empty>{prefix ? `No objects under ${prefix} yet.` : 'No objects yet.'}</Empty>
    ) : (
      <TableWrap label={`Objects in ${bucket}/${prefix}`}>
        <table>
          <caption>{`${bucket}/${prefix}`}</caption>
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col" class="num">
                size
              </th>
              <th scope="col">content type</th>
              <th scope="col">last modified</th>
              <th scope="col">download</th>
            </tr>
          </thead>
          <tbody>
            {listing.entries.map((entry) =>
              entry.kind === 'folder' ? (
                <tr data-folder={entry.prefix}>
                  <th scope="row">
                    <a href={bucketHref(bucket, entry.prefix)}>{entry.name}</a>
                  </th>
                  <td class="num">{formatBytes(entry.bytes)}</td>
                  <td class="muted">{`folder, ${formatNumber(entry.objects)} object${entry.objects === 1 ? '' : 's'}`}</td>
                  <td />
                  <td />
                </tr>
              ) : (
                <tr data-key={entry.info.key}>
                  <th scope="row">
                    <a href={objectHref(bucket, entry.info.key)}>{entry.name}</a>
                  </th>
                  <td class="num">{formatBytes(entry.info.size)}</td>
                  <td>{entry.info.contentType}</td>
                  <td>
                    <Time value={entry.info.lastModified} />
                  </td>
                  <td>
                    <a
                      href={downloadHref(bucket, entry.info.key)}
                      download
                      aria-label={`Download ${entry.info.key}`}
                    >
                      Download
                    </a>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </TableWrap>
    )}
  </div>
);

/** The drop zone `dashboard.js` drives: files dropped or chosen are uploaded under `folder`. */
export const UploadZone = ({ bucket, folder }: { bucket: string; folder: string }) => (
  <section
    class="dropzone"
    data-dropzone=""
    data-bucket={bucket}
    data-prefix={folder}
    aria-labelledby="upload-heading"
  >
    <h2 id="upload-heading">Upload</h2>
    <p>
      Drop files here to upload them to <code>{`${bucket}/${folder}`}</code>, or choose them. An upload starts
      the pipelines as any other does.
    </p>
    <label for="upload-files">Choose files to upload</label>
    <br />
    <input id="upload-files" type="file" multiple />
    <p class="help" data-upload-status="" aria-live="polite" />
  </section>
);

/** An object's metadata, S3's and the user's. */
export const ObjectMeta = ({ info }: { info: ObjectInfo }) => {
  const metadata = Object.entries(info.metadata);
  return (
    <>
      <dl class="meta">
        <dt>bucket</dt>
        <dd>
          <a href={bucketHref(info.bucket)}>{info.bucket}</a>
        </dd>
        <dt>key</dt>
        <dd>
          <code>{info.key}</code>
        </dd>
        <dt>size</dt>
        <dd>{`${formatBytes(info.size)} (${formatNumber(info.size)} bytes)`}</dd>
        <dt>content type</dt>
        <dd>{info.contentType}</dd>
        <dt>ETag</dt>
        <dd>
          <code>{info.etag}</code>
        </dd>
        <dt>last modified</dt>
        <dd>
          <Time value={info.lastModified} />
        </dd>
      </dl>
      <h2>User metadata</h2>
      {metadata.length === 0 ? (
        <Empty>No user metadata.</Empty>
      ) : (
        <TableWrap label="User metadata">
          <table>
            <thead>
              <tr>
                <th scope="col">name</th>
                <th scope="col">value</th>
              </tr>
            </thead>
            <tbody>
              {metadata.map(([name, value]) => (
                <tr>
                  <th scope="row">
                    <code>{`x-amz-meta-${name}`}</code>
                  </th>
                  <td>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
};
