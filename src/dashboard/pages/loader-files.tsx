import type { Child } from 'hono/jsx';
import type { LoaderFile, StoredRejectedRow } from '../../ports/loader-repository.js';
import { Empty, formatNumber, Status, TableWrap, Time } from '../components.js';
import { MAX_REJECTED_LIMIT } from './loader-query.js';

/** Where the rejected rows of one file (or of all) are listed. */
export const rejectedHref = (file?: string, limit?: number): string => {
  const query = new URLSearchParams();
  if (file) query.set('file', file);
  if (limit) query.set('limit', String(limit));
  const search = query.toString();
  return `/ui/loader/rejected${search ? `?${search}` : ''}`;
};

/** A moved object's page in bucket `landing` (the Buckets section shows it). */
const landingObjectHref = (key: string) => `/ui/buckets/landing/object?key=${encodeURIComponent(key)}`;

/** Back to the Loader page from one of its sub-pages. */
export const LoaderCrumbs = ({ here }: { here: string }) => (
  <nav aria-label="Breadcrumbs">
    <ol class="breadcrumbs">
      <li>
        <a href="/ui/loader">Loader</a>
      </li>
      <li aria-current="page">{here}</li>
    </ol>
  </nav>
);

/** Every file's latest outcome: what it loaded into, how many rows, where the object went. */
export const FilesTable = ({ files }: { files: readonly LoaderFile[] }) => {
  // Loaded files carry no error: the column is there only when one does.
  const errors = files.some((f) => f.error);
  return (
    <TableWrap label="Loaded files">
      <table data-table="loader-files">
        <caption>Files, by name: each one's latest load</caption>
        <thead>
          <tr>
            <th scope="col">file</th>
            <th scope="col">outcome</th>
            <th scope="col">table</th>
            <th scope="col" class="num">
              rows loaded
            </th>
            <th scope="col" class="num">
              rows rejected
            </th>
            <th scope="col">moved to</th>
            <th scope="col">when</th>
            {errors && <th scope="col">error</th>}
          </tr>
        </thead>
        <tbody>
          {files.map((file) => (
            <tr data-file={file.loadFile} class={file.status === 'failed' ? 'bad' : ''}>
              <th scope="row">
                <code>{file.loadFile}</code>
              </th>
              <td>
                <Status value={file.status} />
              </td>
              <td>{file.table ?? <span class="muted">none</span>}</td>
              <td class="num">{formatNumber(file.rowsLoaded)}</td>
              <td class="num">
                {file.rowsRejected > 0 ? (
                  <a
                    href={rejectedHref(file.loadFile)}
                    aria-label={`${formatNumber(file.rowsRejected)} rejected ${file.rowsRejected === 1 ? 'row' : 'rows'} of ${file.loadFile}`}
                  >
                    {formatNumber(file.rowsRejected)}
                  </a>
                ) : (
                  '0'
                )}
              </td>
              <td>
                {file.movedTo ? (
                  <a href={landingObjectHref(file.movedTo)}>
                    <code>{file.movedTo}</code>
                  </a>
                ) : (
                  <span class="muted">not moved</span>
                )}
              </td>
              <td>
                <Time value={file.loadedAt} />
              </td>
              {errors && <td>{file.error ?? <span class="muted">—</span>}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
};

/** The file filter of the rejected rows: a GET form, so the URL says what is shown. */
export const RejectedFilter = ({
  files,
  file,
  limit,
}: {
  files: readonly LoaderFile[];
  file: string | undefined;
  limit: number;
}) => {
  // Files with rejected rows, plus the chosen one, so the select always shows the filter in force.
  const choices = files.filter((f) => f.rowsRejected > 0 || f.loadFile === file);
  return (
    <form method="get" action="/ui/loader/rejected" class="filters">
      <div>
        <label for="rejected-file">File</label>
        <select id="rejected-file" name="file">
          <option value="">All files</option>
          {choices.map((f) => (
            <option value={f.loadFile} selected={f.loadFile === file}>
              {`${f.loadFile} (${formatNumber(f.rowsRejected)} rejected)`}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="rejected-limit">Rows to show</label>
        <input
          id="rejected-limit"
          name="limit"
          type="number"
          min={1}
          max={MAX_REJECTED_LIMIT}
          value={limit}
        />
      </div>
      <button type="submit">Show rejected rows</button>
    </form>
  );
};

/** Rejected rows with their file, line, raw text and every reason. */
export const RejectedTable = ({ rows, caption }: { rows: readonly StoredRejectedRow[]; caption: Child }) =>
  rows.length === 0 ? (
    <Empty>No rejected rows.</Empty>
  ) : (
    <TableWrap label="Rejected rows">
      <table data-table="loader-rejected">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">file</th>
            <th scope="col" class="num">
              line
            </th>
            <th scope="col">raw text</th>
            <th scope="col">reasons</th>
            <th scope="col">rejected</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr data-line={row.line}>
              <td>
                <code>{row.loadFile}</code>
              </td>
              <th scope="row" class="num">
                {row.line}
              </th>
              <td>
                <code>{row.raw}</code>
              </td>
              <td>
                {row.reasons.length === 1 ? (
                  row.reasons[0]
                ) : (
                  <ul class="plain">
                    {row.reasons.map((reason) => (
                      <li>{reason}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <Time value={row.rejectedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
