/**
 * A minimal, fast protocol client for load generation. It speaks only what the bench needs:
 *
 *   client                         gateway
 *     | ---- WS upgrade -----------> |
 *     | <--- event connect.challenge |
 *     | ---- req connect ----------> |
 *     | <--- res hello-ok ---------- |   connect() resolves here
 *     | ---- req … / <--- res … ---- |   matched by id, any order
 *     | <--- event … --------------- |   onEvent / onRaw
 *
 * Responses are matched by id without a full JSON parse when the frame starts with the
 * canonical `{"type":"res","id":"…","ok":true` prefix, so the client stays cheap next to a fast server.
 */
import WebSocket from 'ws';

/** Scopes the bench asks for; `cli`/`cli` on loopback with a shared token keeps them (PROTOCOL.md §2.4). */
export const ADMIN_SCOPES = ['operator.admin', 'operator.read', 'operator.write'] as const;

/** Why a connection attempt failed: a socket error code (`ECONNREFUSED`, `EMFILE`…), `close:<code>`, `timeout` or a wire error code. */
export class ConnectFailure extends Error {
  constructor(readonly reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectFailure';
  }
}

/** A request that came back `ok:false`, or could not complete because the socket closed. */
export class RequestFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RequestFailure';
  }
}

/** An inbound event frame, narrowed only as far as the bench needs. */
export interface BenchEvent {
  readonly event: string;
  readonly payload: unknown;
}

export interface ConnectOptions {
  readonly url: string;
  readonly token: string;
  readonly scopes?: readonly string[];
  /** Give up (and terminate the socket) if hello-ok has not arrived by then. */
  readonly timeoutMs?: number;
  /** Sees every post-handshake frame first; returning true means "consumed, do not parse". */
  readonly onRaw?: (data: Buffer) => boolean;
  readonly onEvent?: (event: BenchEvent) => void;
  /** Builds the `connect` params from the challenge instead of the operator default (e.g. a signed node). */
  readonly connectParams?: (challenge: { readonly nonce: string; readonly ts: number }) => Record<string, unknown>;
}

interface Pending {
  readonly resolve: (payload: unknown) => void;
  readonly reject: (error: Error) => void;
  /** False for `call()`: the response may be resolved from its prefix without parsing. */
  readonly wantsPayload: boolean;
}

const RES_PREFIX = Buffer.from('{"type":"res","id":"');
const OK_TRUE = Buffer.from('","ok":true');
const QUOTE = 0x22;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function errorCode(error: unknown): string {
  if (isRecord(error) && typeof error['code'] === 'string') return error['code'];
  // ws reports HTTP-level refusals ("Unexpected server response: 503") without a code.
  if (error instanceof Error) return error.message.slice(0, 60);
  return 'ERROR';
}

function wireError(frame: Record<string, unknown>): RequestFailure {
  const error = frame['error'];
  const code = isRecord(error) && typeof error['code'] === 'string' ? error['code'] : 'UNKNOWN';
  const message = isRecord(error) && typeof error['message'] === 'string' ? error['message'] : 'request failed';
  return new RequestFailure(code, message);
}

/** One authenticated connection. Created only by `connect()`. */
export class BenchClient {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  private readonly closedPromise: Promise<void>;

  /** @internal */
  constructor(private readonly ws: WebSocket, readonly hello: Record<string, unknown>, private readonly options: ConnectOptions) {
    this.closedPromise = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data) => this.onMessage(toBuffer(data)));
    ws.once('close', (code) => {
      this.closed = true;
      const failure = new RequestFailure('CLOSED', `socket closed (${code}) with request pending`);
      for (const pending of this.pending.values()) pending.reject(failure);
      this.pending.clear();
    });
    // Errors after the handshake surface as 'close'; without a listener ws would throw.
    ws.on('error', () => undefined);
  }

  /** True once the socket has closed, for whatever reason. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves once the socket has closed. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** Number of requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends `method` and resolves with the response payload; rejects with RequestFailure on `ok:false` or close. */
  request(method: string, params?: unknown): Promise<unknown> {
    return this.send(method, params, true);
  }

  /** Like `request` for callers that ignore the payload, which lets a successful response skip JSON.parse. */
  async call(method: string, params?: unknown): Promise<void> {
    await this.send(method, params, false);
  }

  private send(method: string, params: unknown, wantsPayload: boolean): Promise<unknown> {
    if (this.closed) return Promise.reject(new RequestFailure('CLOSED', 'socket closed'));
    const id = String(this.nextId++);
    const frame = params === undefined ? { type: 'req', id, method } : { type: 'req', id, method, params };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, wantsPayload });
      this.ws.send(JSON.stringify(frame));
    });
  }

  /** Closes with 1000 and resolves once the socket is gone (or after `timeoutMs`, then terminates). */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), timeoutMs);
    await this.closedPromise;
    clearTimeout(timer);
  }

  /** Drops the TCP connection without a close handshake (for tearing down thousands at once). */
  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: Buffer): void {
    if (this.tryFastResponse(data)) return;
    if (this.options.onRaw?.(data) === true) return;
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch (error) {
      // Unparsable frames from the server are a bench finding, not a crash.
      process.emitWarning(`bench client: unparsable frame (${String(error)})`);
      return;
    }
    if (!isRecord(frame)) return;
    if (frame['type'] === 'res' && typeof frame['id'] === 'string') {
      const pending = this.pending.get(frame['id']);
      if (pending === undefined) return;
      this.pending.delete(frame['id']);
      if (frame['ok'] === true) pending.resolve(frame['payload']);
      else pending.reject(wireError(frame));
    } else if (frame['type'] === 'event' && typeof frame['event'] === 'string') {
      this.options.onEvent?.({ event: frame['event'], payload: frame['payload'] });
    }
  }

  /** Resolves a successful response from its canonical prefix alone; payload is left unparsed (undefined). */
  private tryFastResponse(data: Buffer): boolean {
    if (data.length < RES_PREFIX.length + 1 || data.compare(RES_PREFIX, 0, RES_PREFIX.length, 0, RES_PREFIX.length) !== 0) {
      return false;
    }
    const end = data.indexOf(QUOTE, RES_PREFIX.length);
    if (end < 0 || end - RES_PREFIX.length > 32) return false;
    if (data.compare(OK_TRUE, 0, OK_TRUE.length, end, end + OK_TRUE.length) !== 0) return false;
    const id = data.toString('latin1', RES_PREFIX.length, end);
    const pending = this.pending.get(id);
    if (pending === undefined || pending.wantsPayload) return false;
    this.pending.delete(id);
    pending.resolve(undefined);
    return true;
  }
}

/** Opens a socket, waits for `connect.challenge`, sends `connect` and resolves on hello-ok. */
export function connect(options: ConnectOptions): Promise<BenchClient> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    let ws: WebSocket;
    const fail = (reason: string, message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('message');
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      reject(new ConnectFailure(reason, message, { cause }));
    };
    const timer = setTimeout(() => fail('timeout', `no hello-ok within ${timeoutMs} ms`), timeoutMs);
    try {
      ws = new WebSocket(options.url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: timeoutMs });
    } catch (error) {
      clearTimeout(timer);
      reject(new ConnectFailure(errorCode(error), `cannot open ${options.url}`, { cause: error }));
      return;
    }
    ws.on('error', (error) => fail(errorCode(error), error.message, error));
    ws.on('close', (code, reason) => fail(`close:${code}`, `closed before hello-ok: ${code} ${reason.toString()}`));
    ws.on('message', (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(toBuffer(data).toString('utf8'));
      } catch (error) {
        fail('BAD_FRAME', 'unparsable frame during handshake', error);
        return;
      }
      if (!isRecord(frame)) return;
      if (frame['type'] === 'event' && frame['event'] === 'connect.challenge') {
        const challenge = isRecord(frame['payload']) ? frame['payload'] : {};
        const params = options.connectParams
          ? options.connectParams({ nonce: String(challenge['nonce'] ?? ''), ts: Number(challenge['ts'] ?? Date.now()) })
          : {
              minProtocol: 4, maxProtocol: 4,
              client: { id: 'cli', version: 'bench', platform: 'linux', mode: 'cli' },
              role: 'operator', scopes: options.scopes ?? ADMIN_SCOPES, caps: [],
              auth: { token: options.token },
            };
        ws.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params }));
        return;
      }
      if (frame['type'] !== 'res' || frame['id'] !== 'connect') return;
      if (frame['ok'] !== true || !isRecord(frame['payload'])) {
        const error = wireError(frame);
        fail(error.code, error.message);
        return;
      }
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.removeAllListeners('close');
      ws.removeAllListeners('error');
      resolve(new BenchClient(ws, frame['payload'], options));
    });
  });
}
