/*
 * A statechart drawn from an xstate definition as `ui/build.mjs` flattened it: states in columns
 * by their distance from the initial state, transitions as labelled arrows. States that live
 * actors are in are filled, with how many.
 */

export interface ChartState { readonly id: string; readonly label: string; readonly type: string; readonly description?: string; readonly depth: number }
export interface ChartTransition { readonly source: string; readonly target: string; readonly event: string; readonly guard?: string }
export interface MachineChart { readonly id: string; readonly description?: string; readonly initial: string | null; readonly states: ChartState[]; readonly transitions: ChartTransition[] }

const W = 156;
const H = 40;
const GAP_X = 44;
const GAP_Y = 64;

/** Rows by distance from the initial state; a transition between two states of one row pushes its target down a row. */
function layout(chart: MachineChart): Map<string, { x: number; y: number }> {
  const level = new Map<string, number>();
  const queue: string[] = [];
  const start = chart.initial ?? chart.states[0]?.id;
  if (start) {
    level.set(start, 0);
    queue.push(start);
  }
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const t of chart.transitions) {
      if (t.source === id && !level.has(t.target)) {
        level.set(t.target, (level.get(id) ?? 0) + 1);
        queue.push(t.target);
      }
    }
  }
  let deepest = Math.max(0, ...level.values());
  for (const s of chart.states) if (!level.has(s.id)) level.set(s.id, ++deepest);
  for (let round = 0; round < chart.states.length; round += 1) {
    let moved = false;
    for (const t of chart.transitions) {
      if (t.source !== t.target && t.target !== start && level.get(t.source) === level.get(t.target)) {
        level.set(t.target, (level.get(t.source) ?? 0) + 1);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const columns = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const s of chart.states) {
    const row = level.get(s.id) ?? 0;
    const col = columns.get(row) ?? 0;
    columns.set(row, col + 1);
    at.set(s.id, { x: 110 + col * (W + GAP_X), y: 24 + row * (H + GAP_Y) });
  }
  return at;
}

const clip = (label: string, n: number) => (label.length > n ? `${label.slice(0, n - 1)}…` : label);

export function Statechart(props: { chart: MachineChart; active: ReadonlyMap<string, number>; lastEvent?: string | undefined }) {
  const { chart, active } = props;
  const at = layout(chart);
  const width = Math.max(...[...at.values()].map((p) => p.x + W)) + 200;
  const height = Math.max(...[...at.values()].map((p) => p.y + H)) + 30;
  const edges = new Map<string, ChartTransition[]>();
  for (const t of chart.transitions) {
    const key = `${t.source}→${t.target}`;
    edges.set(key, [...(edges.get(key) ?? []), t]);
  }
  return (
    <div class="statechart" data-testid="statechart" data-machine={chart.id}>
      {chart.description ? <p class="muted">{chart.description}</p> : null}
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`statechart of ${chart.id}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#8a94a6" />
          </marker>
        </defs>
        {[...edges.values()].map((list) => {
          const t = list[0]!;
          const a = at.get(t.source);
          const b = at.get(t.target);
          if (!a || !b) return null;
          const label = [...new Set(list.map((x) => x.event + (x.guard ? ` [${x.guard}]` : '')))].join(' | ');
          const hot = list.some((x) => x.event === props.lastEvent);
          if (t.source === t.target) {
            const x = a.x + W;
            return (
              <g class={`edge ${hot ? 'hot' : ''}`}>
                <path d={`M ${x} ${a.y + 10} C ${x + 30} ${a.y - 6}, ${x + 30} ${a.y + H + 6}, ${x} ${a.y + H - 10}`} fill="none" marker-end="url(#arrow)" />
                <text x={x + 26} y={a.y + H / 2 + 4}>{clip(label, 34)}</text>
              </g>
            );
          }
          const down = b.y > a.y;
          if (down) {
            const x1 = a.x + W / 2 + (b.x - a.x) / 8;
            const y1 = a.y + H;
            const x2 = b.x + W / 2;
            const y2 = b.y;
            const my = (y1 + y2) / 2;
            const skip = b.y - a.y > H + GAP_Y;
            const path = skip
              ? `M ${a.x} ${a.y + H / 2} C ${a.x - 70} ${a.y + H / 2}, ${b.x - 70} ${b.y + H / 2}, ${b.x} ${b.y + H / 2}`
              : `M ${x1} ${y1} C ${x1} ${my}, ${x2} ${my}, ${x2} ${y2}`;
            return (
              <g class={`edge ${hot ? 'hot' : ''}`}>
                <path d={path} fill="none" marker-end="url(#arrow)" />
                <text x={skip ? Math.min(a.x, b.x) - 104 : (x1 + x2) / 2 + 6} y={skip ? (a.y + b.y + H) / 2 : my + 4}>{clip(label, skip ? 18 : 40)}</text>
              </g>
            );
          }
          const x1 = a.x + W;
          const y1 = a.y + H / 2;
          const x2 = b.x + W;
          const y2 = b.y + H / 2;
          const bulge = Math.max(x1, x2) + 40 + Math.abs(y1 - y2) / 6;
          return (
            <g class={`edge back ${hot ? 'hot' : ''}`}>
              <path d={`M ${x1} ${y1} C ${bulge} ${y1}, ${bulge} ${y2}, ${x2} ${y2}`} fill="none" marker-end="url(#arrow)" />
              <text x={bulge - 20} y={(y1 + y2) / 2 + 4}>{clip(label, 30)}</text>
            </g>
          );
        })}
        {chart.states.map((s) => {
          const p = at.get(s.id)!;
          const count = active.get(s.label) ?? 0;
          return (
            <g class={`state ${count > 0 ? 'active' : ''} ${s.type === 'final' ? 'final' : ''}`} data-testid="chart-state" data-state={s.label} data-active={count > 0 ? 'true' : 'false'}>
              <title>{s.description ?? s.label}</title>
              <rect x={p.x} y={p.y} width={W} height={H} rx={10} />
              {s.id === chart.initial ? <circle cx={p.x - 10} cy={p.y + H / 2} r={5} class="initial" /> : null}
              <text x={p.x + W / 2} y={p.y + H / 2 + 5} text-anchor="middle">{clip(s.label, 22)}{count > 0 ? ` (${count})` : ''}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
