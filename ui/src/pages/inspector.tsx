import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, useGateway, useOnConnected } from '../app-context';
import { Statechart, type MachineChart } from '../statechart';

/*
 * Inspector: every live actor with its state and the transitions as they happen, read from the
 * admin method `gateway.inspect` with a rolling watch (recording stops by itself once the page
 * is closed), plus a statechart of a chosen machine drawn from its xstate definition
 * (`machines.json`, written from the machines at build time).
 */

interface Actor { id: string; machine: string; state: unknown; status: string }
interface Transition { n: number; ts: number; actor: string; machine: string; event: string; state: unknown; status: string }

const WATCH_MS = 15_000;
const POLL_MS = 1000;
const KEEP = 300;

export const stateText = (state: unknown): string => {
  if (state === null || state === undefined) return '—';
  if (typeof state === 'string') return state;
  if (typeof state === 'object') {
    return Object.entries(state as Record<string, unknown>).map(([k, v]) => (v && typeof v === 'object' && Object.keys(v).length === 0 ? k : `${k}.${stateText(v)}`)).join(', ');
  }
  return String(state);
};

export function InspectorPage() {
  const client = useGateway();
  const [actors, setActors] = useState<Actor[]>([]);
  const [transitions, setTransitions] = useState<Transition[]>([]);
  const [charts, setCharts] = useState<MachineChart[]>([]);
  const [chosen, setChosen] = useState('connection');
  const [error, setError] = useState('');
  const cursor = useRef(0);

  useEffect(() => {
    const base = document.documentElement.dataset.openclawControlUiBasePath ?? '';
    fetch(`${base}/machines.json`)
      .then((r) => r.json())
      .then((j: { machines: MachineChart[] }) => setCharts(j.machines))
      .catch((e: unknown) => setError(`machines.json: ${errorText(e)}`));
  }, []);

  useOnConnected(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await client.request<{ actors: Actor[]; transitions: Transition[]; cursor: number }>('gateway.inspect', { watchMs: WATCH_MS, since: cursor.current });
        if (stopped) return;
        cursor.current = r.cursor;
        setActors(r.actors);
        // Invoked helpers (`0.connection.admitting`: a promise actor) are the machine's own business.
        const own = r.transitions.filter((t) => !/^\d+\./.test(t.actor));
        if (own.length > 0) setTransitions((c) => [...own.reverse(), ...c].slice(0, KEEP));
        setError('');
      } catch (e) {
        if (!stopped) setError(errorText(e));
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  });

  const chart = charts.find((c) => c.id === chosen);
  const active = new Map<string, number>();
  for (const actor of actors.filter((a) => a.machine === chosen)) {
    const leaf = stateText(actor.state).split(', ');
    for (const s of leaf) active.set(s, (active.get(s) ?? 0) + 1);
  }
  const recent = transitions.find((t) => t.machine === chosen);
  return (
    <div class="page inspector">
      <h2>Inspector</h2>
      {error ? <div class="banner error" role="alert">{error}</div> : null}
      <div class="inspector-grid">
        <section>
          <h3>Live actors ({actors.length})</h3>
          <table data-testid="actors">
            <thead><tr><th>Actor</th><th>Machine</th><th>State</th><th>Status</th></tr></thead>
            <tbody>
              {actors.map((a) => (
                <tr data-testid="actor-row" data-actor={a.id} onClick={() => setChosen(a.machine)} class={a.machine === chosen ? 'chosen' : ''}>
                  <td><code>{a.id}</code></td><td>{a.machine}</td><td data-testid="actor-state">{stateText(a.state)}</td><td>{a.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Transitions</h3>
          <ol class="transitions" data-testid="transitions">
            {transitions.map((t) => (
              <li data-testid="transition">
                <span class="muted">{new Date(t.ts).toISOString().slice(11, 23)}</span> <code>{t.actor}</code> {t.event} → <b>{stateText(t.state)}</b>
                {t.status !== 'active' ? <span class="muted"> ({t.status})</span> : null}
              </li>
            ))}
          </ol>
        </section>
        <section>
          <h3>
            Statechart{' '}
            <select aria-label="Machine" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
              {charts.map((c) => <option value={c.id}>{c.id}</option>)}
            </select>
          </h3>
          {chart ? <Statechart chart={chart} active={active} lastEvent={recent?.event} /> : <p class="muted">No definition for {chosen}.</p>}
        </section>
      </div>
    </div>
  );
}
