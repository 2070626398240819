/** Latency summaries for the bench: exact percentiles over all samples (no histograms, counts are small). */

/** Summary of a latency sample set, in the samples' unit; NaN-free: empty input gives nulls. */
export interface Summary {
  readonly n: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** Returns the nearest-rank percentile `p` (0–100) of `sorted`, which must be ascending; null when empty. */
export function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? null;
}

/** Summarizes `samples` (not modified). */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? null : (sorted[sorted.length - 1] ?? null),
    mean: sorted.length === 0 ? null : sum / sorted.length,
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `task(i)` for i in [0, total) with at most `limit` in flight; resolves when all settled. */
export async function pool(total: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, total)) }, worker));
}
