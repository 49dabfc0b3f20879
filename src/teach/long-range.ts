// The truncation chapter's experiment: full against truncated BPTT on the copy task at growing lags, trained for
// real, with the recall accuracy per variant (a notebook experiment built on the trainer, not part of it).

import type { TrainConfig } from '../train/config';
import { copyTask } from '../train/tasks';
import { Trainer } from '../train/trainer';
import { describeTruncation, type Truncation } from '../train/truncation';

export interface LongRangeRow {
  lag: number;
  variant: string;
  accuracy: number; // at the recall steps, on 200 fresh examples, averaged over the seeds
  perSeed: number[];
  std: number; // the seeds' spread: the sample standard deviation of perSeed (0 for one seed)
  chance: number;
  seconds: number;
}

export interface LongRangeOptions {
  /** Copy-task lags (steps between a symbol and its recall). Default [5, 10, 20, 40]. */
  lags?: number[];
  /** Default: full, chunked k=4, chunked k=16. */
  variants?: Truncation[];
  /** One run per seed; the table shows the mean accuracy. Default [1, 2]. */
  seeds?: number[];
  iterations?: number; // default 600
  config?: Partial<TrainConfig>; // default H = 32, B = 8, Adam lr 0.01, clip ‖g‖ ≤ 1
  /** Called after each run (for progress). */
  onRow?: (row: LongRangeRow) => void;
}

/**
 * Trains the copy task (one symbol of 4, the wait filled with random symbols) at several lags with full BPTT and
 * with truncated variants, and reports the recall accuracy: the table of the truncation notebook. Chunked BPTT with
 * k ≤ lag can never send the recall step's gradient back to the symbol, so it can only learn what the untrained
 * dynamics happen to carry forward; with k ≥ T it is full BPTT. About 20–40 s with the defaults.
 */
export function longRangeTable(o: LongRangeOptions = {}): LongRangeRow[] {
  const lags = o.lags ?? [5, 10, 20, 40];
  const variants = o.variants ?? [{ kind: 'full' }, { kind: 'chunked', k: 4 }, { kind: 'chunked', k: 16 }];
  const seeds = o.seeds ?? [1, 2];
  const config: Partial<TrainConfig> = {
    hiddenSize: 32,
    batchSize: 8,
    optimizer: 'adam',
    lr: 0.01,
    clip: { kind: 'norm', max: 1 },
    ...o.config,
  };
  const rows: LongRangeRow[] = [];
  for (const lag of lags) {
    for (const v of variants) {
      const t0 = performance.now();
      const task = copyTask(lag, 1, 4, true);
      const perSeed = seeds.map((seed) => {
        const t = new Trainer({ kind: 'task', task }, { ...config, seed, truncation: v });
        t.run(o.iterations ?? 600);
        return t.evaluate({ examples: 200 }).accuracy;
      });
      const mean = perSeed.reduce((a, b) => a + b, 0) / perSeed.length;
      const std =
        perSeed.length < 2 ? 0 : Math.sqrt(perSeed.reduce((a, b) => a + (b - mean) ** 2, 0) / (perSeed.length - 1));
      const row: LongRangeRow = {
        lag,
        variant: describeTruncation(v),
        accuracy: mean,
        perSeed,
        std,
        chance: task.chance,
        seconds: (performance.now() - t0) / 1000,
      };
      rows.push(row);
      o.onRow?.(row);
    }
  }
  return rows;
}

/** The rows as a Markdown table: one line per lag, one column per variant. */
export function formatLongRangeTable(rows: LongRangeRow[]): string {
  const variants = [...new Set(rows.map((r) => r.variant))];
  const lags = [...new Set(rows.map((r) => r.lag))];
  const head = `| lag | ${variants.join(' | ')} | chance |`;
  const sep = `|---:|${variants.map(() => '---:').join('|')}|---:|`;
  const lines = lags.map((lag) => {
    const cells = variants.map((v) => {
      const r = rows.find((x) => x.lag === lag && x.variant === v);
      return r === undefined ? '' : r.accuracy.toFixed(2);
    });
    const chance = rows.find((x) => x.lag === lag)?.chance ?? 0;
    return `| ${lag} | ${cells.join(' | ')} | ${chance.toFixed(2)} |`;
  });
  return [head, sep, ...lines].join('\n');
}
