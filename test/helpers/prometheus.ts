import { execFileSync, spawnSync } from 'node:child_process';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One metric family as the independent parser returns it. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: ReadonlyArray<{ readonly value?: string; readonly labels?: Record<string, string>; readonly buckets?: Record<string, string>; readonly count?: string; readonly sum?: string }>;
}

/** Parses a scrape with `parse-prometheus-text-format` (not our code, not prom-client). */
export function parseScrape(text: string): Map<string, MetricFamily> {
  const families = (parsePrometheusTextFormat as (text: string) => MetricFamily[])(text);
  return new Map(families.map((family) => [family.name, family]));
}

/** The value of a counter/gauge sample whose labels include `labels` (0 when absent). */
export function sample(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  const match = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return match?.value === undefined ? 0 : Number(match.value);
}

/**
 * The `<name>_count` sample of a histogram whose labels include `labels`, summed (0 when absent),
 * read from the text: the parser above drops the labels and counts of labelled histograms.
 */
export function histogramCount(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_count(?:\\{([^}]*)\\})? (\\S+)$`).exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total += Number(match[2]);
  }
  return total;
}

/** The path of Prometheus' `promtool` when installed (Debian package `prometheus`). */
export function promtoolPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Runs `promtool check metrics` on a scrape; returns its output (throws with it on failure). */
export function promtoolCheck(promtool: string, text: string): string {
  return execFileSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
