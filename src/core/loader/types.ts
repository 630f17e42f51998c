/** A field after validation: `int` columns hold numbers, `text` and `timestamptz` columns strings. */
export type LoaderValue = string | number;

/** A row that passed every check, with its 1-based line in the file (or index in a posted batch). */
export interface ValidRow {
  line: number;
  values: LoaderValue[];
}

/** A row kept out of the table: its raw text and every reason, never just the first. */
export interface RejectedRow {
  line: number;
  raw: string;
  reasons: string[];
}

/** A slice of a file's rows, small enough to hold in memory and load with one COPY. */
export interface RowBatch {
  valid: ValidRow[];
  rejected: RejectedRow[];
}
