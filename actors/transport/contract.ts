import { randomUUID } from 'node:crypto';

/**
 * The transport seam: one port, HTTP and WebSocket multiplexed. Two implementations exist,
 * `uws.ts` (uWebSockets.js, the fast path) and `ws.ts` (`ws` + `node:http`,
 * the portable fallback); `openTransport()` in `select.ts` picks one at start.
 *
 * The transport never decides anything about the protocol: it turns socket activity into calls
 * on `TransportHandlers` and offers `GatewaySocket` for the effects the machines ask for.
 */

/** One accepted WebSocket, as the rest of the gateway sees it. */
export interface GatewaySocket {
  /** Connection id, unique per process (also the wire `server.connId`). */
  readonly id: string;
  /** Remote address as text ("127.0.0.1", "::1", …). */
  readonly remoteAddress: string;
  /** True when the peer is on a loopback address. */
  readonly isLoopback: boolean;
  /** `Origin` header of the upgrade request, if any. */
  readonly origin: string | undefined;
  /** `Host` header of the upgrade request, if any (the same-origin Origin rule compares with it). */
  host?: string;
  /** The upgrade request carried a forwarding header (`Forwarded`, `X-Forwarded-*`, `X-Real-IP`): it came through a proxy. */
  forwarded?: boolean;
  /** Every header of the upgrade request (lower-case names), kept only while `captureHeaders()` says so. */
  headers?: Readonly<Record<string, string>>;
  /** Sends one text frame. Returns false when the socket is already closed. */
  send(text: string | Buffer): boolean;
  /** Bytes queued for this socket and not yet written to the kernel. */
  bufferedAmount(): number;
  /** Starts a close handshake with this code and reason (reason ≤ 123 bytes, truncated). */
  close(code: number, reason: string): void;
  /** Drops the TCP connection without a close handshake. */
  terminate(): void;
}

/** What the transport calls; supplied by the gateway system. */
export interface TransportHandlers {
  /** A WebSocket upgrade completed. */
  open(socket: GatewaySocket): void;
  /** One text (or binary) message arrived; `bytes` is its length on the wire. */
  message(socket: GatewaySocket, data: Buffer, bytes: number): void;
  /** The socket is closed (by either side); called exactly once per opened socket. */
  close(socket: GatewaySocket, code: number, reason: string): void;
  /**
   * Asked before a WebSocket upgrade is accepted (after the transport checked the handshake
   * itself): a refusal is answered as a bare HTTP status (pre-auth socket limits). Optional.
   */
  admitUpgrade?(info: { readonly remoteAddress: string }): UpgradeRefusal | null;
  /** Plain HTTP requests, written once against the fetch API. */
  fetch(request: Request, info: { remoteAddress: string }): Promise<Response> | Response;
  /**
   * A failure the transport recovered from but must not hide: `fetch` threw or rejected (the
   * client got a bare 500), or a listener failed to accept. Optional; without it, stderr.
   */
  failed?(error: unknown, where: 'fetch' | 'accept'): void;
}

/** Why an upgrade is refused: the HTTP status line to answer with, e.g. `503 Service Unavailable`. */
export interface UpgradeRefusal {
  readonly status: string;
  /** A short text body. */
  readonly reason: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** The only WebSocket version there is (RFC 6455 §4.2.2). */
export const WEBSOCKET_VERSION = '13';

/**
 * The HTTP answer to an upgrade the transport must refuse before any handler sees it, or null to
 * go on: a missing key or version is a malformed handshake (400), another version gets 426 with
 * the version this server speaks (RFC 6455 §4.2.1, §4.2.2).
 */
export function checkUpgradeHandshake(headers: { key: string; version: string }): UpgradeRefusal | null {
  if (headers.version.trim() === '' || !/^[A-Za-z0-9+/]{22}==$/.test(headers.key.trim())) {
    return { status: '400 Bad Request', reason: 'invalid WebSocket handshake' };
  }
  if (headers.version.trim() !== WEBSOCKET_VERSION) {
    return { status: '426 Upgrade Required', reason: 'unsupported WebSocket version', headers: [['Sec-WebSocket-Version', WEBSOCKET_VERSION]] };
  }
  return null;
}

/** A refusal as a complete HTTP/1.1 response that closes the connection (for raw sockets). */
export function refusalResponse(refusal: UpgradeRefusal): string {
  return [
    `HTTP/1.1 ${refusal.status}`,
    ...(refusal.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(refusal.reason)}`,
    '',
    refusal.reason,
  ].join('\r\n');
}

/**
 * Most bytes a request's head (request line and headers) may take, on both transports: node's
 * own default, which the `ws` transport enforces natively; uWS is checked in JavaScript. Beyond
 * it the answer is `431 Request Header Fields Too Large` and a close.
 */
export const MAX_REQUEST_HEAD_BYTES = 16 * 1024;

/** The refusal for a request head over MAX_REQUEST_HEAD_BYTES. */
export const HEAD_TOO_LARGE: UpgradeRefusal = { status: '431 Request Header Fields Too Large', reason: 'request headers too large' };

/** Options every transport honours. */
export interface TransportOptions {
  /** Hosts to listen on (a loopback bind listens on both 127.0.0.1 and ::1). */
  hosts: readonly string[];
  /** Port; 0 picks a free port (the first host's pick is reused for the others). */
  port: number;
  /** Post-auth frame limit in bytes (`policy.maxPayload`); bigger frames close with 1009. */
  maxPayloadBytes: number;
  /** Keep each upgrade request's headers on its socket (trusted-proxy auth reads them); read per upgrade. */
  captureHeaders?: () => boolean;
  /** `ws` transport: ping every socket this often and drop one that did not answer the last ping (default 30 s). */
  keepaliveMs?: number;
  handlers: TransportHandlers;
}

/** A listening transport. */
export interface Transport {
  /** "uws" or "ws": reported by `status` and `health`. */
  readonly kind: 'uws' | 'ws';
  /** The port actually bound. */
  readonly port: number;
  /** Stops accepting; open sockets are left to the caller to close. Resolves when the listeners are gone. */
  stopListening(): Promise<void>;
  /** Force-closes everything still open (after the caller drained). */
  destroy(): Promise<void>;
}

export type TransportFactory = (options: TransportOptions) => Promise<Transport>;

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  return (
    address === '::1' ||
    address.startsWith('127.') ||
    address.startsWith('::ffff:127.') ||
    address === '0000:0000:0000:0000:0000:0000:0000:0001'
  );
}

/** Most bytes a close reason may take: a control frame carries 125, two go to the code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Cuts `reason` to at most 123 UTF-8 bytes without splitting a character. */
export function truncateCloseReason(reason: string): string {
  if (reason.length * 3 <= MAX_CLOSE_REASON_BYTES) return reason; // fast path: cannot exceed
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  // Back up over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.toString('utf8', 0, end);
}

/** Hands a recovered failure to `handlers.failed`, or to stderr when there is none. */
export function reportTransportFailure(
  handlers: TransportHandlers,
  error: unknown,
  where: 'fetch' | 'accept',
): void {
  if (handlers.failed !== undefined) handlers.failed(error, where);
  else console.error(`gateway transport: ${where} failed`, error);
}

/** Throws RangeError for options no transport can honour (no host, bad port or payload limit). */
export function validateTransportOptions(options: TransportOptions): void {
  if (options.hosts.length === 0) throw new RangeError('transport needs at least one host');
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new RangeError(`invalid port: ${options.port}`);
  }
  if (!Number.isInteger(options.maxPayloadBytes) || options.maxPayloadBytes < 1) {
    throw new RangeError(`invalid maxPayloadBytes: ${options.maxPayloadBytes}`);
  }
}

/**
 * A random UUID for `GatewaySocket.id`, as a flat string: `randomUUID()` returns a rope of ~16
 * pieces (~500 bytes on the heap), which 10,000 idle sockets would keep alive.
 */
export function newConnectionId(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}

/** Headers that mark a request as relayed by a proxy (NODES.md §2.3: such a peer is not direct-local). */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'] as const;

/** True when any forwarding header is present; `has` tells whether the request carries a header (lower-case name). */
export function hasForwardingHeader(has: (name: string) => boolean): boolean {
  return FORWARDING_HEADERS.some((name) => has(name));
}
