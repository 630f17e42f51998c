/** A progress bar on stderr, drawn only on a terminal and at most ten times a second. */
export interface Progress {
  advance(units: number): void;
  done(): void;
}

const silent: Progress = { advance: () => {}, done: () => {} };

export function progressBar(label: string, total: number | undefined, stream = process.stderr): Progress {
  if (!stream.isTTY) return silent;
  const started = Date.now();
  let done = 0;
  let drawnAt = 0;
  const draw = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = `${formatBytes(done / seconds)}/s`;
    if (total && total > 0) {
      const share = Math.min(done / total, 1);
      const width = 30;
      const filled = Math.round(share * width);
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${formatBytes(done)} of ${formatBytes(total)}, ${rate}  `,
      );
    } else {
      stream.write(`\r${label} ${formatBytes(done)}, ${rate}  `);
    }
  };
  return {
    advance(units) {
      done += units;
      const now = Date.now();
      if (now - drawnAt >= 100) {
        drawnAt = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write('\n');
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes.toFixed(0)} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
