-- loader: a landing file that matches no routing rule is recorded too ('unmatched'), and every
-- outcome says where the object was moved (processed/, failed/ or unmatched/ of bucket landing).
ALTER TABLE loader_files DROP CONSTRAINT loader_files_status_check;
ALTER TABLE loader_files
  ADD CONSTRAINT loader_files_status_check CHECK (status IN ('loaded', 'failed', 'unmatched'));
ALTER TABLE loader_files ADD COLUMN moved_to text;
