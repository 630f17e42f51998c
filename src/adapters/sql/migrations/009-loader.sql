-- loader: the default routing targets (see src/core/loader/routing-rules.ts), each with audit
-- columns naming the file and line a row came from. No primary key: a file's rows are replaced
-- as a whole by load_file, and the same id may arrive from two files.
CREATE TABLE departments (
  id int NOT NULL,
  department text NOT NULL,
  load_file text NOT NULL,
  load_row_number int NOT NULL,
  load_ts timestamptz NOT NULL
);
CREATE INDEX departments_load_file ON departments (load_file);
CREATE INDEX departments_id ON departments (id);

CREATE TABLE jobs (
  id int NOT NULL,
  job text NOT NULL,
  load_file text NOT NULL,
  load_row_number int NOT NULL,
  load_ts timestamptz NOT NULL
);
CREATE INDEX jobs_load_file ON jobs (load_file);
CREATE INDEX jobs_id ON jobs (id);

CREATE TABLE hired_employees (
  id int NOT NULL,
  name text NOT NULL,
  datetime timestamptz NOT NULL,
  department_id int NOT NULL,
  job_id int NOT NULL,
  load_file text NOT NULL,
  load_row_number int NOT NULL,
  load_ts timestamptz NOT NULL
);
CREATE INDEX hired_employees_load_file ON hired_employees (load_file);
CREATE INDEX hired_employees_datetime ON hired_employees (datetime);

CREATE TABLE loader_rejected_rows (
  id bigserial PRIMARY KEY,
  load_file text NOT NULL,
  table_name text NOT NULL,
  row_number int NOT NULL,
  raw text NOT NULL,
  reasons jsonb NOT NULL,
  rejected_at timestamptz NOT NULL
);
CREATE INDEX loader_rejected_rows_load_file ON loader_rejected_rows (load_file, row_number);

CREATE TABLE loader_files (
  load_file text PRIMARY KEY,
  table_name text,
  status text NOT NULL CHECK (status IN ('loaded', 'failed')),
  rows_loaded int NOT NULL DEFAULT 0,
  rows_rejected int NOT NULL DEFAULT 0,
  loaded_at timestamptz NOT NULL,
  error text
);
