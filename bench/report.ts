/** Renders the side-by-side table: one row per metric, one column per target, plus ratios vs the first target. */
import type { Metric, Sizes } from './scenario.js';

/** Everything measured on one target. */
export interface TargetReport {
  readonly name: string;
  readonly sizes: Sizes;
  readonly metrics: Metric[];
  readonly notes: string[];
  /** Set when the target could not be started or a scenario threw. */
  readonly errors: string[];
}

function format(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = unit === '' || abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '' ? text : `${text} ${unit}`;
}

/** "4.2× better" / "0.5× worse" from the first target's point of view; empty when not comparable. */
function ratio(first: Metric | undefined, other: Metric | undefined): string {
  if (first === undefined || other === undefined || first.better === 'none') return '';
  const a = first.value;
  const b = other.value;
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return '';
  if (a === b) return 'same';
  if (a <= 0 || b <= 0) return (first.better === 'higher') === (a > b) ? 'better' : 'worse';
  const factor = first.better === 'higher' ? a / b : b / a;
  const times = (x: number): string => `${x.toFixed(x >= 10 ? 0 : 1)}×`;
  return factor >= 1 ? `${times(factor)} better` : `${times(1 / factor)} worse`;
}

function pad(text: string, width: number, right: boolean): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** Plain-text table for a terminal; notes and errors follow it, per target. */
export function renderTable(reports: readonly TargetReport[]): string {
  const first = reports[0];
  if (first === undefined) return 'no targets\n';
  const rows = new Map<string, { label: string; unit: string }>();
  for (const report of reports) for (const m of report.metrics) if (!rows.has(m.id)) rows.set(m.id, { label: m.label, unit: m.unit });
  const others = reports.slice(1);
  const header = ['metric', ...reports.map((r) => r.name), ...others.map((r) => `${first.name} vs ${r.name}`)];
  const body = [...rows].map(([id, { label, unit }]) => {
    const mine = first.metrics.find((m) => m.id === id);
    return [
      label,
      ...reports.map((r) => format(r.metrics.find((m) => m.id === id)?.value ?? null, unit)),
      ...others.map((r) => ratio(mine, r.metrics.find((m) => m.id === id))),
    ];
  });
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => pad(cell, widths[column] ?? 0, column > 0)).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  out.push('', 'All clients run in this one process: latencies include its own event-loop time (about 10 µs per socket event).');
  for (const report of reports) {
    const extra = [...report.errors.map((e) => `ERROR ${e}`), ...report.notes];
    if (extra.length > 0) out.push('', `${report.name}:`, ...extra.map((text) => `  - ${text}`));
  }
  return `${out.join('\n')}\n`;
}

/** Machine-readable form of the same data. */
export function renderJson(reports: readonly TargetReport[]): string {
  return `${JSON.stringify({ targets: reports }, null, 2)}\n`;
}
