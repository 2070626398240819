/**
 * The request loop of the throughput scenarios: `count` calls with at most `window` in flight,
 * each timed from send to answer, bounded by a deadline; the loop stops early if the client's
 * socket closes. Failures are counted (and the first kept), never retried.
 */
import { performance } from 'node:perf_hooks';
import { summarize } from './stats.js';

export interface WindowedRun {
  /** Answered calls per second over the whole run. */
  readonly rate: number;
  readonly p50: number | null;
  readonly p99: number | null;
  /** Calls that finished (answered or failed) before the deadline. */
  readonly done: number;
  readonly failed: number;
  readonly firstError: unknown;
  readonly elapsedMs: number;
  /** Answered calls. */
  readonly ok: number;
}

export function runWindowed(options: {
  readonly count: number;
  readonly window: number;
  readonly deadlineMs: number;
  readonly isClosed: () => boolean;
  readonly call: () => Promise<unknown>;
}): Promise<WindowedRun> {
  const { count, window, deadlineMs, isClosed, call } = options;
  const latencies = new Float64Array(count);
  let sent = 0;
  let done = 0;
  let failed = 0;
  let firstError: unknown;
  const started = performance.now();
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      const elapsedMs = performance.now() - started;
      const ok = latencies.subarray(0, done).filter((value) => !Number.isNaN(value));
      const summary = summarize(ok);
      resolve({ rate: (ok.length / elapsedMs) * 1000, p50: summary.p50, p99: summary.p99, done, failed, firstError, elapsedMs, ok: ok.length });
    };
    const timer = setTimeout(finish, deadlineMs);
    const pump = (): void => {
      while (sent < count && sent - done < window && !isClosed()) {
        const index = sent++;
        const t0 = performance.now();
        void call()
          .then(
            () => {
              latencies[index] = performance.now() - t0;
            },
            (error: unknown) => {
              latencies[index] = Number.NaN;
              failed += 1;
              firstError ??= error;
            },
          )
          .finally(() => {
            done += 1;
            if (done === count || (isClosed() && done === sent)) finish();
            else pump();
          });
      }
    };
    pump();
  });
}
