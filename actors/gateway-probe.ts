import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ErrorShape } from '../protocol/frames.js';

/**
 * A diagnostic connection, as the official `gateway status` / `gateway probe` make it: wait for
 * `connect.challenge`, `connect` with a given client identity and protocol window, then send
 * every call back-to-back (pipelined) and collect the answers. Never rejects: an unreachable
 * gateway, a refused connect or a timeout is part of the outcome.
 *
 *   client                         gateway
 *     |  ── WebSocket upgrade ──▶     |
 *     |  ◀── event connect.challenge  |
 *     |  ── req connect ──▶           |
 *     |  ◀── res hello-ok             |   connectLatencyMs measured here
 *     |  ── req call 1..n ──▶         |   (pipelined)
 *     |  ◀── res 1..n                 |
 *     |  close                        |
 */

/** Who the probe says it is. */
export interface ProbeClient {
  readonly id: string;
  readonly mode: string;
  readonly version: string;
  readonly displayName?: string;
}

export interface ProbeOptions {
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
  readonly timeoutMs: number;
  readonly client: ProbeClient;
  readonly minProtocol: number;
  readonly maxProtocol: number;
  readonly scopes: readonly string[];
  /** Requests to send after hello-ok; `params` undefined = no params field (as the official CLI sends). */
  readonly calls: ReadonlyArray<{ readonly method: string; readonly params?: unknown }>;
  readonly platform: string;
}

/** The answer to one call. */
export type CallOutcome =
  | { readonly method: string; readonly ok: true; readonly payload: unknown }
  | { readonly method: string; readonly ok: false; readonly error: ErrorShape };

/** What a probe found out. */
export interface ProbeOutcome {
  /** A gateway answered (hello-ok, or a protocol-level `res` refusing the connect). */
  readonly reached: boolean;
  /** hello-ok arrived. */
  readonly connected: boolean;
  readonly connectLatencyMs: number | null;
  readonly hello: Record<string, unknown> | null;
  /** The connect refusal, when the gateway refused. */
  readonly connectError: ErrorShape | null;
  /** Transport failure or timeout text, or the connect refusal message. */
  readonly error: string | null;
  readonly close: { code: number; reason: string } | null;
  readonly calls: CallOutcome[];
  /** Calls still unanswered when the probe ended. */
  readonly timedOut: boolean;
}

type Frame = { type?: string; event?: string; id?: string; ok?: boolean; payload?: unknown; error?: ErrorShape };

/** Opens one probe connection; resolves when every call answered, the socket closed, or the timeout hit. */
export function probeGateway(options: ProbeOptions): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    let counter = 0;
    const nextId = () => `${++counter}:${randomUUID()}`;
    const connectId = nextId();
    const pending = new Map<string, string>();
    const calls: CallOutcome[] = [];
    let reached = false;
    let connected = false;
    let latency: number | null = null;
    let hello: Record<string, unknown> | null = null;
    let connectError: ErrorShape | null = null;
    let error: string | null = null;
    let close: { code: number; reason: string } | null = null;
    let settled = false;
    let ws: WebSocket;

    const finish = (timedOut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('close');
      ws.on('error', () => undefined); // a late socket error after we are done changes nothing
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      if (timedOut && !error) error = connected ? 'timeout' : `timeout after ${options.timeoutMs} ms`;
      resolve({ reached, connected, connectLatencyMs: latency, hello, connectError, error, close, calls, timedOut });
    };
    const timer = setTimeout(() => finish(true), options.timeoutMs);

    try {
      ws = new WebSocket(options.url, { perMessageDeflate: false, handshakeTimeout: options.timeoutMs });
    } catch (cause) {
      clearTimeout(timer);
      resolve({ reached: false, connected: false, connectLatencyMs: null, hello: null, connectError: null, error: (cause as Error).message, close: null, calls, timedOut: false });
      return;
    }
    ws.on('error', (cause: Error & { code?: string }) => {
      error ??= cause.message || cause.code || 'socket error';
      if (!close) close = { code: 1006, reason: '' };
      finish();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      close = { code, reason: reason.toString() };
      error ??= connected ? null : `gateway closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''})`;
      finish();
    });
    ws.on('message', (raw: WebSocket.RawData) => {
      let frame: Frame;
      try {
        frame = JSON.parse(raw.toString()) as Frame;
      } catch {
        error = 'gateway sent a frame that is not JSON';
        finish();
        return;
      }
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        const auth: Record<string, string> = {};
        if (options.token) auth.token = options.token;
        if (options.password) auth.password = options.password;
        const client = {
          id: options.client.id,
          version: options.client.version,
          platform: options.platform,
          mode: options.client.mode,
          instanceId: randomUUID(),
          ...(options.client.displayName ? { displayName: options.client.displayName } : {}),
        };
        ws.send(JSON.stringify({
          type: 'req',
          id: connectId,
          method: 'connect',
          params: { minProtocol: options.minProtocol, maxProtocol: options.maxProtocol, client, caps: [], auth, role: 'operator', scopes: options.scopes },
        }));
        return;
      }
      if (frame.type !== 'res' || typeof frame.id !== 'string') return;
      if (frame.id === connectId) {
        reached = true;
        if (!frame.ok) {
          connectError = frame.error ?? { code: 'UNAVAILABLE', message: 'connect refused' };
          error = connectError.message;
          finish();
          return;
        }
        connected = true;
        latency = Date.now() - started;
        hello = (frame.payload ?? {}) as Record<string, unknown>;
        for (const call of options.calls) {
          const id = nextId();
          pending.set(id, call.method);
          const request: Record<string, unknown> = { type: 'req', id, method: call.method };
          if (call.params !== undefined) request.params = call.params;
          ws.send(JSON.stringify(request));
        }
        if (pending.size === 0) finish();
        return;
      }
      const method = pending.get(frame.id);
      if (method === undefined) return;
      pending.delete(frame.id);
      calls.push(frame.ok ? { method, ok: true, payload: frame.payload } : { method, ok: false, error: frame.error ?? { code: 'UNAVAILABLE', message: 'request failed' } });
      if (pending.size === 0) finish();
    });
  });
}
