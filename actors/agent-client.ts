import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ErrorShape } from '../protocol/frames.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { RpcError } from './rpc-client.js';

/*
 * The client side of one agent turn, as `openclaw agent` runs it:
 *
 *   client                                gateway
 *     | <── connect.challenge ──────────── |
 *     | ─── connect (operator.write) ────> |
 *     | ─── agent {message, idempotencyKey…} ──> run.accepted
 *     | <── event agent (lifecycle start) ─|
 *     | <── res {status:"accepted"} ────── |
 *     | <── event agent (assistant delta)… |   onDelta, deduplicated by per-run seq
 *     | ─── chat.abort (on abort signal) ─>|
 *     | <── res final (same request id) ── |   resolves
 */

/** How an agent turn ended on the wire: the final response of the `agent` request. */
export interface AgentTurnResult {
  readonly ok: boolean;
  readonly payload: unknown;
  readonly error?: ErrorShape;
}

export interface AgentTurnOptions {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  /** `agent` params; `idempotencyKey` is the runId the deltas are matched on. */
  readonly params: Readonly<Record<string, unknown>> & { readonly idempotencyKey: string };
  readonly clientVersion: string;
  /** Bound on the whole exchange (connect to final). */
  readonly timeoutMs: number;
  /** Each new chunk of assistant text, in order. */
  readonly onDelta?: (delta: string) => void;
  /** Aborting sends `chat.abort` for the run; the final (aborted) still resolves the call. */
  readonly signal?: AbortSignal;
}

/** Runs one `agent` turn over a fresh connection, streaming its text; rejects with an RpcError. */
export function runAgentTurn(options: AgentTurnOptions): Promise<AgentTurnResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(options.url, { perMessageDeflate: false, handshakeTimeout: Math.min(options.timeoutMs, 15_000) });
    const runId = options.params.idempotencyKey;
    let counter = 0;
    const nextId = () => `${++counter}:${randomUUID()}`;
    const connectId = nextId();
    const agentId = nextId();
    let sessionKey = typeof options.params.sessionKey === 'string' ? options.params.sessionKey : undefined;
    let lastSeq = 0;
    let settled = false;
    const finish = (error: RpcError | null, result?: AgentTurnResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners('close');
      ws.once('error', () => undefined); // a late socket error after we are done changes nothing
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
      if (error) reject(error);
      else resolve(result as AgentTurnResult);
    };
    const timer = setTimeout(() => finish(new RpcError('timeout', `no final answer from the gateway within ${options.timeoutMs} ms (run ${runId})`)), options.timeoutMs);
    const onAbort = () => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const params: Record<string, unknown> = { sessionKey: sessionKey ?? 'main', runId };
      ws.send(JSON.stringify({ type: 'req', id: nextId(), method: 'chat.abort', params }));
    };
    options.signal?.addEventListener('abort', onAbort);
    ws.on('error', (error: Error & { code?: string }) =>
      finish(new RpcError('unreachable', `gateway unreachable at ${options.url}: ${error.code ?? error.message}`, undefined, { cause: error })),
    );
    ws.on('close', (code: number, reason: Buffer) =>
      finish(new RpcError('closed', `gateway closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''}) before run ${runId} ended`)),
    );
    ws.on('message', (raw: WebSocket.RawData) => {
      let frame: { type?: string; event?: string; id?: string; ok?: boolean; payload?: unknown; error?: ErrorShape };
      try {
        frame = JSON.parse(raw.toString()) as typeof frame;
      } catch (error) {
        finish(new RpcError('closed', 'gateway sent a frame that is not JSON', undefined, { cause: error }));
        return;
      }
      if (frame.type === 'event') {
        if (frame.event === 'connect.challenge') {
          const auth: Record<string, string> = {};
          if (options.token) auth.token = options.token;
          if (options.password) auth.password = options.password;
          ws.send(JSON.stringify({
            type: 'req',
            id: connectId,
            method: 'connect',
            params: {
              minProtocol: PROTOCOL_VERSION,
              maxProtocol: PROTOCOL_VERSION,
              client: { id: 'cli', version: options.clientVersion, platform: process.platform, mode: 'cli', instanceId: randomUUID() },
              caps: [],
              auth,
              role: 'operator',
              scopes: ['operator.write'],
            },
          }));
          return;
        }
        const payload = frame.payload as { runId?: unknown; seq?: unknown; stream?: unknown; data?: { delta?: unknown } } | undefined;
        if (frame.event !== 'agent' || payload?.runId !== runId || typeof payload.seq !== 'number' || payload.seq <= lastSeq) return;
        lastSeq = payload.seq;
        if (payload.stream === 'assistant' && typeof payload.data?.delta === 'string') options.onDelta?.(payload.data.delta);
        return;
      }
      if (frame.type !== 'res') return;
      if (frame.id === connectId) {
        if (!frame.ok) {
          finish(new RpcError('rejected', frame.error?.message ?? 'connect refused', frame.error));
          return;
        }
        ws.send(JSON.stringify({ type: 'req', id: agentId, method: 'agent', params: options.params }));
        if (options.signal?.aborted) onAbort();
        return;
      }
      if (frame.id !== agentId) return;
      const payload = frame.payload as { status?: unknown; sessionKey?: unknown } | undefined;
      if (frame.ok && payload?.status === 'accepted') {
        if (typeof payload.sessionKey === 'string') sessionKey = payload.sessionKey;
        return;
      }
      finish(null, { ok: frame.ok === true, payload: frame.payload, ...(frame.error ? { error: frame.error } : {}) });
    });
  });
}
