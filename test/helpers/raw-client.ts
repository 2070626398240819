import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

/** A parsed frame from the gateway. */
export type Frame = Record<string, unknown> & { type: string };

/** Options of `RawClient.open`. */
export interface RawClientOptions {
  /**
   * Frames longer than this many bytes are not parsed (nor UTF-8 checked): they are queued as
   * `{type: 'unparsed', bytes}`. For tests that receive megabytes and only need to count them.
   */
  readonly parseUpTo?: number;
  /** Extra headers on the upgrade request (a reverse proxy's forwarded identity, say). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A WebSocket with a queue of received frames, for tests that speak the protocol by hand. */
export class RawClient {
  readonly frames: Frame[] = [];
  /** Every frame received, in order; `next()` never consumes from it. */
  readonly log: Frame[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | null = null;
  private closedWaiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket, options: RawClientOptions = {}) {
    const { parseUpTo } = options;
    ws.on('message', (data: WebSocket.RawData) => {
      const size = Buffer.isBuffer(data) ? data.length : Array.isArray(data) ? Buffer.concat(data).length : data.byteLength;
      const frame =
        parseUpTo !== undefined && size > parseUpTo
          ? { type: 'unparsed', bytes: size }
          : (JSON.parse(data.toString()) as Frame);
      this.frames.push(frame);
      this.log.push(frame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
      for (const w of this.closedWaiters.splice(0)) w();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Wraps a socket that is still connecting (e.g. one opened with custom upgrade headers). */
  static wrap(ws: WebSocket, options: RawClientOptions = {}): RawClient {
    return new RawClient(ws, options);
  }

  /** Opens a socket and waits for the upgrade. */
  static async open(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: options.parseUpTo !== undefined, ...(options.headers ? { headers: { ...options.headers } } : {}) });
    const client = new RawClient(ws, options);
    await once(ws, 'open');
    return client;
  }

  /** Waits for the next frame matching `predicate` (consumes it and everything before it). */
  async next(predicate: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.frames.findIndex(predicate);
      if (at >= 0) return this.frames.splice(0, at + 1)[at] as Frame;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before the expected frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the response to request `id`. */
  response(id: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === 'res' && f.id === id, timeoutMs);
  }

  /** Waits for the next event named `event`. */
  event(event: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === 'event' && f.event === event, timeoutMs);
  }

  /** Sends a JSON value (or raw text) as one frame. */
  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Sends a request and returns its id. */
  request(method: string, params?: unknown): string {
    const id = randomUUID();
    this.send(params === undefined ? { type: 'req', id, method } : { type: 'req', id, method, params });
    return id;
  }

  /** Sends a request and waits for its response. */
  call(method: string, params?: unknown, timeoutMs?: number): Promise<Frame> {
    return this.response(this.request(method, params), timeoutMs);
  }

  /** Waits until some frame in `log` (past or future) matches `predicate`; consumes nothing. */
  async seen(predicate: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.log.find(predicate);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before the expected frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; log: ${JSON.stringify(this.log).slice(0, 4000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Events received so far (from `log`), optionally only those named `event`. */
  events(event?: string): Frame[] {
    return this.log.filter((f) => f.type === 'event' && (event === undefined || f.event === event));
  }

  /** Resolves with the close code and reason once the socket is closed. */
  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (!this.closed) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('socket not closed in time')), timeoutMs);
        this.closedWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed as { code: number; reason: string };
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/** Valid connect params of an operator CLI client. */
export function connectParams(overrides: Record<string, unknown> = {}, token = 'test-token-0123456789'): Record<string, unknown> {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: 'cli', version: 'test', platform: 'linux', mode: 'cli' },
    role: 'operator',
    scopes: ['operator.read', 'operator.write', 'operator.admin'],
    caps: [],
    auth: { token },
    ...overrides,
  };
}

/** Opens a socket, waits for the challenge, connects; returns the client and the hello-ok payload. */
export async function connectClient(url: string, overrides: Record<string, unknown> = {}, token?: string): Promise<{ client: RawClient; hello: Record<string, unknown> }> {
  const client = await RawClient.open(url);
  await client.event('connect.challenge');
  const id = client.request('connect', connectParams(overrides, token));
  const res = await client.response(id);
  if (res.ok !== true) throw new Error(`connect refused: ${JSON.stringify(res.error)}`);
  return { client, hello: res.payload as Record<string, unknown> };
}
