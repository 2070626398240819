import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, useEvents, useGateway, useOnConnected } from '../app-context';

/*
 * WebChat: the session list, the transcript (`chat.history`), sending (`chat.send`) with the
 * reply streamed from `chat` events, Stop (`chat.abort`) and the run's tool calls (`agent`
 * events, stream "tool"). Rows are keyed by their transcript id (`<runId>:user|assistant`), so a
 * `session.message` event, a history page after a reconnect and the local echo of a send merge
 * instead of doubling; after a reconnect only the delta after the last `deltaCursor` is read.
 */

interface Row {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly runId: string;
  /** Transcript position; Infinity for a local echo not yet confirmed. */
  readonly seq: number;
  readonly stopReason?: string;
}

interface Tool {
  readonly id: string;
  readonly name: string;
  readonly args?: unknown;
  readonly result?: unknown;
  readonly isError?: boolean;
}

interface Live {
  readonly runId: string;
  readonly text: string;
  readonly state: 'running' | 'aborted' | 'error';
  readonly error?: string;
}

interface WireMessage {
  role: 'user' | 'assistant';
  content: string | Array<{ type: string; text?: string }>;
  runId?: string;
  stopReason?: string;
  __openclaw?: { id?: string; seq?: number };
}

const textOf = (content: WireMessage['content']): string =>
  typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('');

const rowOf = (m: WireMessage): Row | null => {
  const id = m.__openclaw?.id;
  if (!id) return null;
  const runId = m.runId ?? id.replace(/:(user|assistant)$/, '');
  return { id, role: m.role, text: textOf(m.content), runId, seq: m.__openclaw?.seq ?? Number.MAX_SAFE_INTEGER, ...(m.stopReason ? { stopReason: m.stopReason } : {}) };
};

const short = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? '' : text.length > 160 ? `${text.slice(0, 157)}…` : text;
};

export function ChatPage() {
  const client = useGateway();
  const defaultKey = client.hello?.snapshot.sessionDefaults?.mainSessionKey ?? 'agent:main:main';
  const [sessionKey, setSessionKey] = useState(defaultKey);
  const [sessions, setSessions] = useState<Array<{ key: string; lastMessagePreview?: string | null; status?: string }>>([]);
  const [rows, setRows] = useState<ReadonlyMap<string, Row>>(new Map());
  const [live, setLive] = useState<ReadonlyMap<string, Live>>(new Map());
  const [tools, setTools] = useState<ReadonlyMap<string, readonly Tool[]>>(new Map());
  const [draft, setDraft] = useState('');
  const [error, setError] = useState('');
  const [loaded, setLoaded] = useState(false);
  const cursor = useRef<{ key: string; cursor: string } | null>(null);
  const ourRuns = useRef(new Set<string>());
  const bottom = useRef<HTMLDivElement>(null);

  const merge = (incoming: readonly Row[]) =>
    setRows((current) => {
      const next = new Map(current);
      for (const row of incoming) {
        const old = next.get(row.id);
        next.set(row.id, old && old.seq < row.seq ? { ...row, seq: old.seq } : row);
      }
      return next;
    });

  const settle = (runIds: Iterable<string>) =>
    setLive((current) => {
      const next = new Map(current);
      for (const runId of runIds) if (next.get(runId)?.state === 'running') next.delete(runId);
      return next;
    });

  const refreshSessions = () => {
    if (!client.has('sessions.list')) return;
    client
      .request('sessions.list', { limit: 100 })
      .then((r: { sessions: Array<{ key: string; lastMessagePreview?: string | null; status?: string }> }) => setSessions(r.sessions))
      .catch(() => undefined);
  };

  // (Re)load on connect: the whole page the first time, only the delta after a reconnect.
  useOnConnected(() => {
    let cancelled = false;
    const known = cursor.current?.key === sessionKey ? cursor.current.cursor : undefined;
    client
      .request('chat.history', { sessionKey, limit: 200, ...(known !== undefined ? { cursor: known } : {}) })
      .then((page: { messages: WireMessage[]; deltaCursor: string; sessionInfo?: { activeRunIds?: string[] } }) => {
        if (cancelled) return;
        const incoming = page.messages.map(rowOf).filter((r): r is Row => r !== null);
        if (known === undefined) setRows(new Map(incoming.map((r) => [r.id, r])));
        else merge(incoming);
        cursor.current = { key: sessionKey, cursor: page.deltaCursor };
        const active = new Set(page.sessionInfo?.activeRunIds ?? []);
        // A run that ended while the socket was down: its assistant row arrived in this page.
        settle(incoming.filter((r) => r.role === 'assistant' && !active.has(r.runId)).map((r) => r.runId));
        setLoaded(true);
        setError('');
      })
      .catch((e: unknown) => !cancelled && setError(errorText(e)));
    refreshSessions();
    return () => {
      cancelled = true;
    };
  }, [sessionKey]);

  useEvents(
    ({ event, payload }) => {
      if (event === 'chat' && payload.sessionKey === sessionKey) {
        const runId = payload.runId as string;
        if (payload.state === 'delta') {
          setLive((c) => new Map(c).set(runId, { runId, text: textOf(payload.message?.content ?? ''), state: 'running' }));
        } else if (payload.state === 'final') {
          if (payload.message) merge([{ id: `${runId}:assistant`, role: 'assistant', text: textOf(payload.message.content), runId, seq: Number.MAX_SAFE_INTEGER - 1 }]);
          setLive((c) => {
            const n = new Map(c);
            n.delete(runId);
            return n;
          });
          refreshSessions();
        } else if (payload.state === 'aborted') {
          setLive((c) => new Map(c).set(runId, { runId, text: textOf(payload.message?.content ?? c.get(runId)?.text ?? ''), state: 'aborted' }));
        } else if (payload.state === 'error') {
          setLive((c) => new Map(c).set(runId, { runId, text: c.get(runId)?.text ?? '', state: 'error', error: payload.errorMessage }));
        }
      } else if (event === 'session.message' && payload.sessionKey === sessionKey) {
        const row = rowOf(payload.message as WireMessage);
        if (row) merge([row]);
        if (cursor.current?.key === sessionKey && Number(cursor.current.cursor) < payload.messageSeq) {
          cursor.current = { key: sessionKey, cursor: String(payload.messageSeq) };
        }
      } else if (event === 'agent' && payload.stream === 'tool' && (ourRuns.current.has(payload.runId) || live.has(payload.runId))) {
        const data = payload.data as { phase: string; toolCallId: string; name: string; args?: unknown; result?: unknown; isError?: boolean };
        setTools((c) => {
          const list = [...(c.get(payload.runId) ?? [])];
          const at = list.findIndex((t) => t.id === data.toolCallId);
          const tool: Tool = { ...(at >= 0 ? list[at] : { id: data.toolCallId, name: data.name }), ...(data.phase === 'start' ? { args: data.args } : { result: data.result, isError: data.isError }) } as Tool;
          if (at >= 0) list[at] = tool;
          else list.push(tool);
          return new Map(c).set(payload.runId, list);
        });
      }
    },
    [sessionKey, live],
  );

  useEffect(() => bottom.current?.scrollIntoView({ block: 'end' }), [rows, live]);

  const running = [...live.values()].find((l) => l.state === 'running');

  const send = async () => {
    const message = draft.trim();
    if (!message) return;
    const runId = crypto.randomUUID();
    ourRuns.current.add(runId);
    setDraft('');
    merge([{ id: `${runId}:user`, role: 'user', text: message, runId, seq: Number.MAX_SAFE_INTEGER }]);
    setLive((c) => new Map(c).set(runId, { runId, text: '', state: 'running' }));
    try {
      await client.request('chat.send', { sessionKey, message, idempotencyKey: runId });
    } catch (e) {
      setError(errorText(e));
      setLive((c) => new Map(c).set(runId, { runId, text: '', state: 'error', error: errorText(e) }));
    }
  };

  const abort = async () => {
    if (!running) return;
    try {
      await client.request('chat.abort', { sessionKey, runId: running.runId });
    } catch (e) {
      setError(errorText(e));
    }
  };

  const ordered = [...rows.values()].sort((a, b) => a.seq - b.seq);
  const liveOnly = [...live.values()].filter((l) => !rows.has(`${l.runId}:assistant`) || l.state !== 'running');
  const toolList = (runId: string) =>
    (tools.get(runId) ?? []).map((t) => (
      <li class={`tool ${t.isError ? 'tool-error' : ''}`} data-testid="tool-call">
        <code>{t.name}</code>({short(t.args ?? {})}){t.result !== undefined ? <> → {short(t.result)}</> : ' …'}
      </li>
    ));

  return (
    <div class="chat">
      <aside class="sessions">
        <h3>Sessions</h3>
        {[{ key: defaultKey }, ...sessions.filter((s) => s.key !== defaultKey)].map((s) => (
          <button class={`session ${s.key === sessionKey ? 'active' : ''}`} onClick={() => { cursor.current = null; setLoaded(false); setRows(new Map()); setLive(new Map()); setSessionKey(s.key); }}>
            <span class="session-key">{s.key}</span>
            {'lastMessagePreview' in s && s.lastMessagePreview ? <span class="muted preview">{s.lastMessagePreview}</span> : null}
          </button>
        ))}
      </aside>
      <section class="transcript">
        <header>
          <h2>Chat</h2>
          <span class="muted">{sessionKey}</span>
        </header>
        {error ? <div class="banner error" role="alert">{error}</div> : null}
        <div class="messages" data-testid="messages" data-loaded={loaded ? 'true' : 'false'}>
          {loaded && ordered.length === 0 && liveOnly.length === 0 ? <p class="muted">No messages yet.</p> : null}
          {ordered.map((row) => (
            <div class={`msg msg-${row.role}`} data-testid={`msg-${row.role}`} data-id={row.id}>
              {row.role === 'assistant' && tools.has(row.runId) ? <ul class="tools">{toolList(row.runId)}</ul> : null}
              <div class="bubble">{row.text}</div>
              {row.stopReason && row.stopReason !== 'stop' ? <div class="muted">{row.stopReason}</div> : null}
            </div>
          ))}
          {liveOnly.map((l) => (
            <div class={`msg msg-assistant live live-${l.state}`} data-testid="msg-live" data-state={l.state}>
              {tools.has(l.runId) ? <ul class="tools">{toolList(l.runId)}</ul> : null}
              <div class="bubble">{l.text || (l.state === 'running' ? '…' : '')}</div>
              <div class="muted">{l.state === 'running' ? 'Working…' : l.state === 'aborted' ? 'Stopped' : `Error: ${l.error ?? ''}`}</div>
            </div>
          ))}
          <div ref={bottom} />
        </div>
        <form
          class="composer"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <textarea
            aria-label="Message"
            placeholder="Message the agent (Enter sends, Shift+Enter for a new line)"
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                void send();
              }
            }}
          />
          <button type="submit" disabled={!draft.trim()}>Send</button>
          <button type="button" class="stop" disabled={!running} onClick={() => void abort()}>Stop</button>
        </form>
      </section>
    </div>
  );
}
