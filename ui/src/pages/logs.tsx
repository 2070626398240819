import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, useGateway, useOnConnected } from '../app-context';

/* Logs: follows `logs.tail` with its cursor; the level filter and the follow switch are local. */

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const MAX_LINES = 2000;

interface Line { readonly time: string; readonly level: string; readonly subsystem: string; readonly message: string }

function parse(raw: string): Line {
  try {
    const r = JSON.parse(raw) as Record<string, any>;
    const meta = r._meta ?? {};
    return {
      time: String(r.time ?? meta.date ?? ''),
      level: String(meta.logLevelName ?? r.level ?? 'info').toLowerCase(),
      subsystem: String(r.subsystem ?? meta.name ?? ''),
      message: String(r.message ?? r['0'] ?? raw),
    };
  } catch {
    return { time: '', level: 'info', subsystem: '', message: raw };
  }
}

export function LogsPage() {
  const client = useGateway();
  const [lines, setLines] = useState<Line[]>([]);
  const [minLevel, setMinLevel] = useState<string>('trace');
  const [follow, setFollow] = useState(true);
  const [error, setError] = useState('');
  const [file, setFile] = useState('');
  const cursor = useRef<number | undefined>(undefined);
  const end = useRef<HTMLDivElement>(null);

  useOnConnected(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await client.request<{ file: string; cursor: number; lines: string[]; reset: boolean }>('logs.tail', {
          limit: 500, maxBytes: 250_000, ...(cursor.current !== undefined ? { cursor: cursor.current } : {}),
        });
        if (stopped) return;
        setFile(r.file);
        cursor.current = r.cursor;
        if (r.lines.length > 0 || r.reset) setLines((c) => [...(r.reset ? [] : c), ...r.lines.map(parse)].slice(-MAX_LINES));
        setError('');
      } catch (e) {
        if (!stopped) setError(errorText(e));
      }
      if (!stopped) timer = setTimeout(() => void poll(), 1500);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  });

  useEffect(() => {
    if (follow) end.current?.scrollIntoView({ block: 'end' });
  }, [lines, follow]);

  const floor = LEVELS.indexOf(minLevel as (typeof LEVELS)[number]);
  const shown = lines.filter((l) => LEVELS.indexOf(l.level as (typeof LEVELS)[number]) >= floor || !LEVELS.includes(l.level as (typeof LEVELS)[number]));
  return (
    <div class="page logs">
      <header class="row">
        <h2>Logs</h2>
        <label>
          Level{' '}
          <select aria-label="Minimum level" value={minLevel} onChange={(e) => setMinLevel(e.currentTarget.value)}>
            {LEVELS.map((l) => <option value={l}>{l}</option>)}
          </select>
        </label>
        <label><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow</label>
        <span class="muted">{file} · {shown.length}/{lines.length} lines</span>
      </header>
      {error ? <div class="banner error" role="alert">{error}</div> : null}
      <div class="log-lines" data-testid="log-lines">
        {shown.map((l) => (
          <div class={`log-line level-${l.level}`} data-testid="log-line">
            <span class="time">{l.time.slice(11, 23)}</span> <span class="level">{l.level}</span> <span class="subsystem">{l.subsystem}</span> {l.message}
          </div>
        ))}
        <div ref={end} />
      </div>
    </div>
  );
}
