import { appendFileSync } from 'node:fs';

/** One headline figure of a benchmark, beside the reference measured in the same run. */
export interface SummaryEntry {
  pipeline: string;
  metric: string;
  unit: string;
  tributary: number;
  reference: number | null;
  referenceName: string;
  /** Whether a larger figure is better (rates) or worse (seconds, MB). */
  higherIsBetter: boolean;
}

/**
 * Records headline figures for `npm run bench` (bench/run-all.ts), which sets `BENCH_SUMMARY` to a
 * file and reads one JSON line per entry back. Run alone, a benchmark records nothing.
 */
export function recordSummary(entries: readonly SummaryEntry[]): void {
  const file = process.env.BENCH_SUMMARY;
  if (!file) return;
  appendFileSync(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
}
