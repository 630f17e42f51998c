/**
 * What handlers log through. On AWS it is a Powertools `Logger` (`new Logger({ serviceName })`:
 * structured JSON for CloudWatch, level from `POWERTOOLS_LOG_LEVEL`), which has this shape.
 * Locally it is {@link stderrLogger}: when the CLI runs the fabric in-process, stdout carries its
 * `--json` output, and Powertools writes info lines to stdout.
 */
export interface FunctionLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export interface StderrLoggerOptions {
  /** Also write `info` lines (default: only warnings and errors, as before Powertools). */
  verbose?: boolean;
  /** Where lines go (default: `process.stderr`). */
  write?: (line: string) => void;
}

/**
 * A logger for the embedded fabric: one readable line per entry on stderr, prefixed with the
 * function's name, with its attributes as JSON.
 *
 * @example
 * stderrLogger('loader-ingest').warn('landing/stage/x.csv matches no routing rule', { movedTo });
 * // loader-ingest: landing/stage/x.csv matches no routing rule {"movedTo":"unmatched/x.csv"}
 */
export function stderrLogger(service: string, options: StderrLoggerOptions = {}): FunctionLogger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const line = (message: string, ...attributes: Record<string, unknown>[]) => {
    const merged = Object.assign({}, ...attributes);
    const extra = Object.keys(merged).length > 0 ? ` ${JSON.stringify(merged, errorsAsText)}` : '';
    write(`${service}: ${message}${extra}\n`);
  };
  return {
    info: options.verbose ? line : () => {},
    warn: line,
    error: line,
  };
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}
