/**
 * The fast transport: uWebSockets.js, one `App` listening on every host.
 *
 * uWS rules this file lives by: message/body ArrayBuffers die when the callback returns (copy
 * them); an HttpRequest dies with its handler (read headers synchronously); a WebSocket dies in
 * its close callback (`UwsGatewaySocket.ws` is cleared there and never used again); writes made
 * outside uWS callbacks are corked.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { networkInterfaces } from 'node:os';
import { isIPv6 } from 'node:net';
import { STATUS_CODES } from 'node:http';
import {
  checkUpgradeHandshake,
  HEAD_TOO_LARGE,
  isLoopbackAddress,
  MAX_REQUEST_HEAD_BYTES,
  newConnectionId,
  reportTransportFailure,
  truncateCloseReason,
  validateTransportOptions,
  hasForwardingHeader,
  type GatewaySocket,
  type Transport,
  type TransportFactory,
  type TransportHandlers,
  type TransportOptions,
} from './contract.js';
import { bindErrorCode, ListenError } from './listen-error.js';

/** The slice of the uWebSockets.js API this transport uses (same in v20.30 and v20.57). */
export interface UwsModule {
  App(): UwsApp;
  us_listen_socket_close(listenSocket: UwsListenSocket): void;
  us_socket_local_port(listenSocket: UwsListenSocket): number;
  readonly DISABLED: number;
}
/** A native listen socket handle (opaque). */
export type UwsListenSocket = object;
interface UwsApp {
  ws(pattern: string, behavior: UwsBehavior): UwsApp;
  any(pattern: string, handler: (res: UwsHttpResponse, req: UwsHttpRequest) => void): UwsApp;
  /** `listen(host, port, options, cb)`: uWS.js accepts the options slot after the port. */
  listen(host: string, port: number, options: number, cb: (socket: UwsListenSocket | false) => void): UwsApp;
  close?: () => void;
}
interface UwsHttpRequest {
  getHeader(lowerCaseKey: string): string;
  getUrl(): string;
  getCaseSensitiveMethod(): string;
  getQuery(): string | undefined;
  forEach(cb: (key: string, value: string) => void): void;
}
interface UwsHttpResponse {
  writeStatus(status: string): UwsHttpResponse;
  writeHeader(key: string, value: string): UwsHttpResponse;
  write(chunk: Uint8Array): boolean;
  end(body?: Uint8Array | string, closeConnection?: boolean): UwsHttpResponse;
  /** Writes what the socket takes without buffering: [all of it went out, the response is complete]. */
  tryEnd(body: Uint8Array, totalSize: number): [boolean, boolean];
  getWriteOffset(): number;
  endWithoutBody(reportedContentLength?: number, closeConnection?: boolean): UwsHttpResponse;
  onWritable(handler: (offset: number) => boolean): UwsHttpResponse;
  onAborted(handler: () => void): UwsHttpResponse;
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): UwsHttpResponse;
  pause(): void;
  resume(): void;
  getRemoteAddressAsText(): ArrayBuffer;
  cork(cb: () => void): UwsHttpResponse;
  close(): UwsHttpResponse;
  upgrade<T>(userData: T, key: string, protocol: string, extensions: string, context: unknown): void;
}
interface UwsWebSocket {
  send(message: string | Uint8Array, isBinary: boolean, compress: boolean): number;
  getBufferedAmount(): number;
  end(code: number, shortMessage: string): void;
  close(): void;
  cork(cb: () => void): unknown;
  getUserData(): UserData;
}
interface UserData {
  readonly socket: UwsGatewaySocket;
}
interface UwsBehavior {
  compression: number;
  maxPayloadLength: number;
  maxBackpressure: number;
  idleTimeout: number;
  sendPingsAutomatically: boolean;
  upgrade(res: UwsHttpResponse, req: UwsHttpRequest, context: unknown): void;
  open(ws: UwsWebSocket): void;
  message(ws: UwsWebSocket, message: ArrayBuffer, isBinary: boolean): void;
  close(ws: UwsWebSocket, code: number, message: ArrayBuffer): void;
}

/** Which uWebSockets.js build loaded, and its API. */
export interface LoadedUws {
  readonly packageName: 'uws-btc-vision' | 'uws-trufflesuite';
  readonly version: string;
  readonly uws: UwsModule;
}

const require = createRequire(import.meta.url);
/** `us_listen_socket` option: no SO_REUSEPORT, so a second gateway on the port fails to bind. */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;
const PORT_ZERO_ATTEMPTS = 5;
/** Frames up to this many times the limit are read and answered with a 1009 close frame. */
const HARD_LIMIT_FACTOR = 2;
/** Seconds of silence before uWS pings, and the longest a close handshake may take (PROTOCOL.md §1: 25 s pong window). */
const IDLE_TIMEOUT_SECONDS = 32;

const candidates = [
  {
    packageName: 'uws-btc-vision',
    load: (): { module: unknown; root: string } => {
      const entry = require.resolve('uws-btc-vision');
      return { module: require(entry), root: dirname(entry) };
    },
  },
  {
    // Its entry point silently swaps in a slow JS emulation when the binary fails, so the
    // binary is required directly: a build that does not load must count as not loaded.
    packageName: 'uws-trufflesuite',
    load: (): { module: unknown; root: string } => {
      const root = dirname(require.resolve('uws-trufflesuite/package.json'));
      const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
      return { module: require(join(root, 'binaries', binary)), root };
    },
  },
] as const;

let attempt: { loaded: LoadedUws | undefined; failures: Error[] } | undefined;

/** Loads the first uWebSockets.js build that works here (btc-vision, then trufflesuite); cached. */
export function loadUws(): LoadedUws | undefined {
  if (attempt !== undefined) return attempt.loaded;
  const failures: Error[] = [];
  for (const candidate of candidates) {
    try {
      const { module, root } = candidate.load();
      if (!isUwsModule(module)) throw new TypeError('module does not look like uWebSockets.js');
      const loaded = { packageName: candidate.packageName, version: packageVersion(root), uws: module };
      attempt = { loaded, failures };
      return loaded;
    } catch (error) {
      failures.push(new Error(`${candidate.packageName} does not load`, { cause: error }));
    }
  }
  attempt = { loaded: undefined, failures };
  return undefined;
}

/** Opens the uWebSockets.js transport; rejects with the load failures when no build loads. */
export const openUwsTransport: TransportFactory = async (options) => {
  const loaded = loadUws();
  if (loaded === undefined) {
    throw new Error('no uWebSockets.js build loads on this machine (tried uws-btc-vision, uws-trufflesuite)', {
      cause: new AggregateError(attempt?.failures ?? [], 'uWebSockets.js load failures'),
    });
  }
  validateTransportOptions(options);
  return openOn(loaded.uws, options);
};

async function openOn(uws: UwsModule, options: TransportOptions): Promise<Transport> {
  const { handlers, maxPayloadBytes } = options;
  const open = new Set<UwsGatewaySocket>();
  let closing = false;
  let drained: (() => void) | undefined;

  const finishClose = (socket: UwsGatewaySocket, code: number, reason: string): void => {
    open.delete(socket);
    handlers.close(socket, code, reason);
    if (open.size === 0) drained?.();
  };

  const app = uws.App();
  app.ws('/*', {
    compression: uws.DISABLED,
    // uWS drops bigger frames with a bare TCP close (1006); below this cap the frame is read
    // and `message` answers with a real 1009 close frame, as `ws` does.
    maxPayloadLength: Math.min(maxPayloadBytes * HARD_LIMIT_FACTOR, 0x7fff_ffff),
    maxBackpressure: 0, // never drop sends: slow consumers are the gateway's call (bufferedAmount)
    // Keepalive: uWS pings a quiet socket and closes one that stays silent (no pong) for this long.
    // It is also how long a close handshake may take: with 0, uWS cuts a closing socket after ~4 s,
    // losing the close frame (e.g. 1008 "slow consumer") for a peer still draining its backlog.
    idleTimeout: IDLE_TIMEOUT_SECONDS,
    sendPingsAutomatically: true,
    upgrade(res, req, context) {
      const key = req.getHeader('sec-websocket-key');
      const protocol = firstProtocol(req.getHeader('sec-websocket-protocol'));
      const extensions = req.getHeader('sec-websocket-extensions');
      const origin = req.getHeader('origin');
      if (closing) {
        res.writeStatus('503 Service Unavailable').end(undefined, true);
        return;
      }
      const remoteAddress = normaliseUwsAddress(decode(res.getRemoteAddressAsText()));
      const capture = options.captureHeaders?.() === true;
      const head = readHead(req, capture);
      const refusal =
        (head.bytes > MAX_REQUEST_HEAD_BYTES ? HEAD_TOO_LARGE : null) ??
        checkUpgradeHandshake({ key, version: req.getHeader('sec-websocket-version') }) ??
        handlers.admitUpgrade?.({ remoteAddress });
      if (refusal) {
        res.writeStatus(refusal.status);
        for (const [name, value] of refusal.headers ?? []) res.writeHeader(name, value);
        res.writeHeader('Content-Type', 'text/plain; charset=utf-8').end(refusal.reason, true);
        return;
      }
      const socket = new UwsGatewaySocket(remoteAddress, origin === '' ? undefined : origin);
      socket.forwarded = hasForwardingHeader((name) => req.getHeader(name) !== '');
      const host = req.getHeader('host');
      if (host !== '') socket.host = host;
      if (head.headers !== undefined) socket.headers = head.headers;
      res.upgrade<UserData>({ socket }, key, protocol, extensions, context);
    },
    open(ws) {
      const { socket } = ws.getUserData();
      socket.ws = ws;
      open.add(socket);
      handlers.open(socket);
    },
    message(ws, message, _isBinary) {
      const { socket } = ws.getUserData();
      const bytes = message.byteLength;
      if (bytes > maxPayloadBytes) {
        socket.close(1009, '');
        return;
      }
      handlers.message(socket, Buffer.copyBytesFrom(new Uint8Array(message)), bytes);
    },
    close(ws, code, message) {
      const { socket } = ws.getUserData();
      socket.ws = undefined;
      const reason = decode(message);
      // uWS runs this inside end()/close(); defer so a caller of socket.close() never sees
      // handlers.close re-entrantly (with `ws` it is always a later tick too).
      if (socket.inCall) queueMicrotask(() => finishClose(socket, code, reason));
      else finishClose(socket, code, reason);
    },
  });
  app.any('/*', (res, req) => serveHttp(res, req, handlers));

  let bound: { listenSockets: UwsListenSocket[]; port: number };
  try {
    bound = await listenAll(uws, app, options.hosts, options.port);
  } catch (error) {
    app.close?.();
    throw error;
  }
  const { listenSockets, port } = bound;

  const stopListening = async (): Promise<void> => {
    for (const listenSocket of listenSockets.splice(0)) uws.us_listen_socket_close(listenSocket);
  };
  const destroy = async (): Promise<void> => {
    closing = true;
    await stopListening();
    const allClosed =
      open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
    if (typeof app.close === 'function') app.close();
    else for (const socket of [...open]) socket.terminate();
    await allClosed;
  };
  return { kind: 'uws', port, stopListening, destroy };
}

// Scratch slots for `sendCorked`, so a corked send allocates no closure.
let corkTarget: UwsWebSocket | undefined;
let corkPayload: string | Buffer = '';
function sendCorked(): void {
  corkTarget?.send(corkPayload, false, false);
}

class UwsGatewaySocket implements GatewaySocket {
  readonly id: string = newConnectionId();
  readonly isLoopback: boolean;
  forwarded = false;
  host?: string;
  headers?: Readonly<Record<string, string>>;
  /** Set by `open`, cleared by `close`: a uWS WebSocket must not be touched after its close. */
  ws: UwsWebSocket | undefined;
  /** True while this object is inside a uWS call that could run the close callback. */
  inCall = false;

  constructor(
    readonly remoteAddress: string,
    readonly origin: string | undefined,
  ) {
    this.isLoopback = isLoopbackAddress(remoteAddress);
  }

  send(text: string | Buffer): boolean {
    const ws = this.ws;
    if (ws === undefined) return false;
    corkTarget = ws;
    corkPayload = text;
    this.inCall = true;
    try {
      ws.cork(sendCorked);
    } finally {
      this.inCall = false;
      corkTarget = undefined;
      corkPayload = '';
    }
    return true;
  }

  bufferedAmount(): number {
    return this.ws?.getBufferedAmount() ?? 0;
  }

  close(code: number, reason: string): void {
    const ws = this.ws;
    if (ws === undefined) return;
    this.inCall = true;
    try {
      ws.end(code, truncateCloseReason(reason));
    } finally {
      this.inCall = false;
    }
  }

  terminate(): void {
    const ws = this.ws;
    if (ws === undefined) return;
    this.inCall = true;
    try {
      ws.close();
    } finally {
      this.inCall = false;
    }
  }
}

/**
 * The size of a request's head as it came (request line and header lines), and its headers when
 * asked. uWS parses heads natively and only drops what exceeds its read buffer, without an
 * answer; MAX_REQUEST_HEAD_BYTES is checked on what it let through.
 */
function readHead(req: UwsHttpRequest, capture: boolean): { bytes: number; headers?: Record<string, string> } {
  const query = req.getQuery();
  let bytes = req.getCaseSensitiveMethod().length + req.getUrl().length + (query === undefined || query === '' ? 0 : query.length + 1) + 11; // " " + " HTTP/1.1\r\n"
  if (!capture) {
    req.forEach((name, value) => (bytes += name.length + value.length + 4)); // "name: value\r\n"
    return { bytes };
  }
  const headers: Record<string, string> = {};
  req.forEach((name, value) => {
    bytes += name.length + value.length + 4;
    headers[name] = value;
  });
  return { bytes, headers };
}

/**
 * uWS prints addresses in full ("0000:…:0001", "0000:…:ffff:7f00:0001"); returns the usual
 * short forms ("::1", "127.0.0.1"), leaving IPv4 text as is.
 */
export function normaliseUwsAddress(text: string): string {
  if (!isIPv6(text)) return text;
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1); // RFC 5952 form
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped === null) return canonical;
  const high = Number.parseInt(mapped[1] ?? '0', 16);
  const low = Number.parseInt(mapped[2] ?? '0', 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

function decode(buffer: ArrayBuffer): string {
  return Buffer.from(buffer).toString('utf8');
}

/** `ws` answers with the first offered subprotocol; do the same. */
function firstProtocol(header: string): string {
  const comma = header.indexOf(',');
  return (comma === -1 ? header : header.slice(0, comma)).trim();
}

function isUwsModule(value: unknown): value is UwsModule {
  if (typeof value !== 'object' || value === null) return false;
  return (
    'App' in value && typeof value.App === 'function' &&
    'us_listen_socket_close' in value && typeof value.us_listen_socket_close === 'function' &&
    'us_socket_local_port' in value && typeof value.us_socket_local_port === 'function' &&
    'DISABLED' in value && typeof value.DISABLED === 'number'
  );
}

function packageVersion(root: string): string {
  const manifest: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (typeof manifest === 'object' && manifest !== null && 'version' in manifest) {
    return String(manifest.version);
  }
  return 'unknown';
}

async function listenAll(
  uws: UwsModule,
  app: UwsApp,
  hosts: readonly string[],
  requestedPort: number,
): Promise<{ listenSockets: UwsListenSocket[]; port: number }> {
  const skipIpv6Loopback = !hasIpv6Loopback();
  for (let attemptNo = 1; ; attemptNo += 1) {
    const listenSockets: UwsListenSocket[] = [];
    let port = requestedPort;
    let failedHost: string | undefined;
    for (const host of hosts) {
      if (host === '::1' && skipIpv6Loopback) continue;
      const listenSocket = await listen(app, host, port);
      if (listenSocket === false) {
        failedHost = host;
        break;
      }
      listenSockets.push(listenSocket);
      if (port === 0) port = uws.us_socket_local_port(listenSocket);
    }
    if (failedHost === undefined && listenSockets.length > 0) return { listenSockets, port };
    for (const listenSocket of listenSockets) uws.us_listen_socket_close(listenSocket);
    // With port 0 the first host's pick can be taken on a later host; pick again.
    const retry = requestedPort === 0 && listenSockets.length > 0 && attemptNo < PORT_ZERO_ATTEMPTS;
    if (!retry) {
      if (failedHost === undefined) throw new Error(`cannot listen on ${hosts.join(', ')} (address in use or not available)`);
      throw new ListenError(failedHost, port, await bindErrorCode(failedHost, port));
    }
  }
}

function listen(app: UwsApp, host: string, port: number): Promise<UwsListenSocket | false> {
  return new Promise((resolve) => {
    app.listen(host, port, LIBUS_LISTEN_EXCLUSIVE_PORT, resolve);
  });
}

/** True when this machine has an IPv6 loopback address, so binding `::1` can work. */
function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((addresses) =>
    (addresses ?? []).some((address) => address.family === 'IPv6' && address.address === '::1'),
  );
}


/** Response bodies up to this size that are ready at once go out in one write with a length. */
const BUFFERED_BODY_BYTES = 64 * 1024;
/** After an early response, this much of the unread body is read and dropped before the connection is cut… */
const MAX_SKIPPED_BODY_BYTES = 1024 * 1024;
/** …and the body may take this long to end. */
const LINGER_MS = 2000;
/** Request body bytes queued for a handler that is not reading before uWS is paused. */
const REQUEST_BODY_HIGH_WATER = 64 * 1024;

/**
 * Adapts one uWS request to `handlers.fetch`. Everything on the HttpRequest is read here,
 * synchronously; the body streams into the Request (copied, paused while the handler lags).
 */
function serveHttp(res: UwsHttpResponse, req: UwsHttpRequest, handlers: TransportHandlers): void {
  const method = req.getCaseSensitiveMethod();
  const query = req.getQuery();
  const path = query === undefined || query === '' ? req.getUrl() : `${req.getUrl()}?${query}`;
  const host = req.getHeader('host');
  const headers: [string, string][] = [];
  let headBytes = method.length + path.length + 11; // " " + " HTTP/1.1\r\n"
  req.forEach((key, value) => {
    headBytes += key.length + value.length + 4; // "name: value\r\n"
    headers.push([key, value]);
  });
  const remoteAddress = normaliseUwsAddress(decode(res.getRemoteAddressAsText()));
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // A body is on the wire when a length above 0 or a transfer coding says so (RFC 9112 §6.3).
  const bodyOnWire = hasBody && (req.getHeader('transfer-encoding') !== '' || Number(req.getHeader('content-length') || '0') !== 0);
  const exchange = new HttpExchange(res, handlers, remoteAddress, bodyOnWire);
  res.onAborted(() => exchange.abort());
  if (hasBody) res.onData((chunk, isLast) => exchange.receive(chunk, isLast));

  if (headBytes > MAX_REQUEST_HEAD_BYTES) {
    exchange.reject(HEAD_TOO_LARGE.status);
    return;
  }
  let request: Request | undefined;
  // Host must be a bare authority, or the URL could be steered elsewhere ("evil/…").
  if (/^[^\s/?#@\\]+$/.test(host)) {
    try {
      request = new Request(`http://${host}${path}`, {
        method,
        headers,
        signal: exchange.signal,
        ...(hasBody ? { body: exchange.body(), duplex: 'half' } : {}),
      });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // TypeError: bad URL, header or method
    }
  }
  if (request === undefined) exchange.reject('400 Bad Request');
  else void exchange.run(request);
}

/** One HTTP request/response; uWS objects are touched only while `usable`. */
class HttpExchange {
  private aborted = false;
  private finished = false;
  private headersSent = false;
  private wake: (() => void) | undefined;
  private readonly controller = new AbortController();
  private bodyController: ReadableStreamDefaultController<Uint8Array> | undefined;
  private bodyDone = false;
  /** The last body chunk arrived (or there was no body): the connection may be kept alive. */
  private bodyReceived: boolean;
  private paused = false;

  constructor(
    private readonly res: UwsHttpResponse,
    private readonly handlers: TransportHandlers,
    private readonly remoteAddress: string,
    bodyOnWire: boolean,
  ) {
    this.bodyReceived = !bodyOnWire;
  }

  /** The response is written, not ended, while the rest of an unread body is dropped (see `linger`). */
  private lingering = false;
  private pendingEnd: ((close: boolean) => void) | undefined;
  private skipped = 0;
  private lingerTimer: NodeJS.Timeout | undefined;

  private get usable(): boolean {
    return !this.aborted && !this.finished;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The request body as a stream; pulling resumes uWS, cancelling discards the rest. */
  body(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.bodyController = controller;
        },
        pull: () => this.resumeBody(),
        cancel: () => {
          this.bodyDone = true;
          this.resumeBody();
        },
      },
      { highWaterMark: REQUEST_BODY_HIGH_WATER, size: (chunk) => chunk.byteLength },
    );
  }

  /** uWS onData: the chunk dies when this returns, so it is copied. */
  receive(chunk: ArrayBuffer, isLast: boolean): void {
    if (isLast) this.bodyReceived = true;
    if (this.lingering) {
      this.skipped += chunk.byteLength;
      this.paused = false; // never paused while lingering: the rest is dropped
      if (isLast || this.skipped > MAX_SKIPPED_BODY_BYTES) this.cut();
      return;
    }
    const body = this.bodyController;
    // After the response, uWS keeps reading the rest of the body; it is dropped here.
    if (!this.usable || this.bodyDone || body === undefined) return;
    if (chunk.byteLength > 0) body.enqueue(Buffer.copyBytesFrom(new Uint8Array(chunk)));
    if (isLast) {
      this.bodyDone = true;
      body.close();
    } else if ((body.desiredSize ?? 1) <= 0) {
      this.paused = true;
      this.res.pause();
    }
  }

  abort(): void {
    this.aborted = true;
    this.lingering = false;
    clearTimeout(this.lingerTimer);
    this.controller.abort();
    if (!this.bodyDone) {
      this.bodyDone = true;
      this.bodyController?.error(new Error('client closed the connection'));
    }
    this.wake?.();
  }

  /** Answers right away with a bare status and closes the connection. */
  reject(status: string): void {
    this.bodyReceived = true; // the connection closes with the answer: nothing to linger on
    this.finish(() => this.res.writeStatus(status).end(undefined, true));
  }

  /** Never rejects: every failure ends as a 500 (or a dropped connection) plus a report. */
  async run(request: Request): Promise<void> {
    let response: Response;
    try {
      response = await this.handlers.fetch(request, { remoteAddress: this.remoteAddress });
    } catch (error) {
      if (this.aborted) return; // the client left; a failed body read is expected then
      reportTransportFailure(this.handlers, error, 'fetch');
      response = new Response(null, { status: 500 });
    }
    try {
      await this.respond(response, request.method === 'HEAD');
    } catch (error) {
      if (this.aborted) return;
      reportTransportFailure(this.handlers, error, 'fetch');
      if (!this.usable) return;
      if (this.headersSent) this.finish(() => this.res.close());
      else this.finish(() => this.res.writeStatus('500 Internal Server Error').end(undefined, true));
    }
  }

  private async respond(response: Response, head: boolean): Promise<void> {
    const body = response.body;
    const bodiless = head || response.status === 204 || response.status === 304;
    if (body === null || bodiless) {
      if (body !== null) await body.cancel();
      if (!this.usable) return;
      const length = head ? Number(response.headers.get('content-length') ?? Number.NaN) : Number.NaN;
      const end = (close: boolean): void => {
        this.writeHead(response);
        if (!bodiless) this.res.end(undefined, close);
        else this.res.endWithoutBody(Number.isInteger(length) ? length : undefined, close);
      };
      if (this.bodyReceived) this.finish(() => end(false));
      else this.linger(end);
      return;
    }
    const reader = body.getReader();
    try {
      await this.pipe(response, reader);
    } finally {
      if (!this.finished) await reader.cancel();
    }
  }

  /** A body that is ready at once is sent with a Content-Length; anything slower is chunked. */
  private async pipe(response: Response, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const ready: Uint8Array[] = [];
    let readyBytes = 0;
    let next = await reader.read();
    let pending: ReturnType<typeof reader.read> | undefined;
    while (!next.done) {
      ready.push(next.value);
      readyBytes += next.value.byteLength;
      pending = reader.read();
      const settled = readyBytes < BUFFERED_BODY_BYTES ? await settledNow(pending) : undefined;
      if (settled === undefined) break;
      pending = undefined;
      next = settled;
    }
    if (!this.usable) return;
    if (pending === undefined) {
      const whole = Buffer.concat(ready);
      const end = (close: boolean): void => {
        this.writeHead(response);
        if (close) this.res.end(whole, true);
        else this.endWithoutBuffering(whole);
      };
      if (this.bodyReceived) this.finish(() => end(false));
      else this.linger(end);
      return;
    }
    this.res.onWritable(() => {
      this.wake?.();
      return true;
    });
    this.res.cork(() => {
      this.writeHead(response);
      for (const chunk of ready) this.res.write(chunk);
    });
    for (;;) {
      const result = await pending;
      if (!this.usable) return;
      if (result.done) {
        this.finish(() => this.res.end()); // (with a close, uWS 20.30 would corrupt the chunked end)
        return;
      }
      let drained = true;
      this.res.cork(() => (drained = this.res.write(result.value)));
      if (!drained) await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
      if (!this.usable) return;
      pending = reader.read();
    }
  }

  /**
   * Sends a whole body without letting uWS buffer what the socket does not take: a client that
   * is not reading gets the rest as it drains (onWritable), and meanwhile its response is still
   * pending, so uWS closes the connection at its next pipelined request instead of parsing and
   * answering request after request into memory (README, Resource bounds).
   */
  private endWithoutBuffering(body: Buffer): void {
    const start = this.res.getWriteOffset();
    const [, done] = this.res.tryEnd(body, body.length);
    if (done) return;
    this.res.onWritable((offset) => {
      if (this.aborted) return true;
      const [ok] = this.res.tryEnd(body.subarray(offset - start), body.length);
      return ok;
    });
  }

  /** Ends the response (corked): after this the HttpResponse is never touched again (but by endWithoutBuffering's drain). */
  private finish(end: () => void): void {
    this.res.cork(() => {
      // A paused socket would never read the unread rest of the body uWS must skip (or close on).
      if (this.paused) this.res.resume();
      end();
    });
    this.finished = true;
  }

  /**
   * Holds a complete response whose request body has not ended. Ended now, uWS would read and
   * drop the rest of the body natively for as long as the client sends it (endlessly, if it
   * likes), and it cannot be closed later: a finished HttpResponse is gone. So the rest of the
   * body is read and dropped here, up to MAX_SKIPPED_BODY_BYTES or LINGER_MS; if it ends by then
   * the response goes out as usual, otherwise it goes out with `Connection: close` and the
   * connection is closed.
   */
  private linger(end: (close: boolean) => void): void {
    this.lingering = true;
    this.pendingEnd = end;
    this.resumeBody();
    this.lingerTimer = setTimeout(() => this.cut(), LINGER_MS).unref();
  }

  /** Sends a held response: keeps the connection when the body ended, closes it otherwise. */
  private cut(): void {
    clearTimeout(this.lingerTimer);
    const end = this.pendingEnd;
    if (!this.lingering || this.aborted || end === undefined) return;
    this.lingering = false;
    this.pendingEnd = undefined;
    this.finish(() => end(!this.bodyReceived));
  }

  private resumeBody(): void {
    if (!this.paused || !this.usable) return;
    this.paused = false;
    this.res.cork(() => this.res.resume());
  }

  private writeHead(response: Response): UwsHttpResponse {
    this.res.writeStatus(`${response.status} ${STATUS_CODES[response.status] ?? 'Unknown'}`);
    for (const [key, value] of response.headers) {
      // uWS writes its own framing headers; a second copy would corrupt the response.
      if (key !== 'content-length' && key !== 'transfer-encoding') this.res.writeHeader(key, value);
    }
    this.headersSent = true;
    return this.res;
  }
}

/** The read's result if it settles before the next turn of the event loop, else undefined. */
function settledNow<T>(read: Promise<T>): Promise<T | undefined> {
  return Promise.race([read, new Promise<undefined>((resolve) => setImmediate(resolve, undefined))]);
}
