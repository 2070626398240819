/**
 * The browser Origin rule of `connect` (CONTROL-UI.md §3), pure: everything arrives as arguments.
 * A socket whose upgrade carried an `Origin`, or a client that says it is a browser UI, must come
 * from an allowed origin. In order:
 *   1. `gateway.controlUi.allowedOrigins` has `*` or the exact origin;
 *   2. `gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback` is on and the origin's
 *      host[:port] equals the upgrade's `Host` header (any host: the client controls both);
 *   3. the origin's host[:port] equals `Host` and that host is private: loopback (for a local
 *      socket), a private/link-local/CGNAT IP, `*.local` or `*.ts.net` (the UI served by the
 *      gateway itself on a LAN or tailnet address);
 *   4. the socket is local and the origin's hostname is loopback (any port).
 */
import type { ClientInfo, ConnectParams } from '../protocol/connect.js';

/** Where browsers may open an operator session from (resolved by bin/ from the config and bind). */
export interface OriginPolicy {
  /** Full origins (`scheme://host[:port]`, lowercased) or `*`. */
  readonly allowedOrigins: readonly string[];
  /** `gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback`: an Origin equal to `Host` passes. */
  readonly allowHostHeaderOriginFallback?: boolean;
}

/** What the transport knew about the socket when it opened. */
export interface SocketOrigin {
  /** The upgrade's `Origin` header, if any. */
  readonly origin: string | undefined;
  /** True when the peer is on a loopback address. */
  readonly isLoopback: boolean;
  /** The upgrade's `Host` header, if any. */
  readonly host?: string | undefined;
  readonly policy: OriginPolicy;
}

const BROWSER_CLIENT_IDS = new Set(['openclaw-control-ui', 'openclaw-browser-copilot', 'webchat-ui']);

/** True when the Origin rule applies to this connect. */
export function isBrowserConnect(socket: SocketOrigin, client: ClientInfo): boolean {
  return socket.origin !== undefined || BROWSER_CLIENT_IDS.has(client.id) || client.mode === 'webchat';
}

/** `scheme://host[:port]` lowercased (`host` keeps the port as written), or null when not an http(s) origin. */
export function normalizeOrigin(raw: string | undefined): { origin: string; host: string; hostname: string } | null {
  if (!raw || raw === 'null') return null;
  const match = /^(https?):\/\/(\[[0-9a-f:.]+\]|[^/:?#\s]+)(?::(\d{1,5}))?\/?$/i.exec(raw.trim());
  if (!match) return null;
  const [, scheme, host, port] = match as unknown as [string, string, string, string | undefined];
  const hostname = host.toLowerCase();
  const hostPort = `${hostname}${port ? `:${port}` : ''}`;
  return { origin: `${scheme.toLowerCase()}://${hostPort}`, host: hostPort, hostname: hostname.replace(/^\[|\]$/g, '') };
}

const isLoopbackHostname = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/** The hostname of a `Host` header value (`[v6]:port`, `name:port`, a bare IPv6), lowercased. */
export function hostHeaderName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, Math.max(1, value.indexOf(']')));
  if ((value.match(/:/g) ?? []).length > 1) return value; // a bare IPv6 address
  return value.split(':')[0] ?? '';
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Loopback, RFC 1918, link-local and carrier-grade NAT (Tailscale) IPv4 addresses. */
function isPrivateIpv4(address: string): boolean {
  const match = IPV4.exec(address);
  if (!match) return false;
  const [a, b] = [Number(match[1]), Number(match[2])];
  if (match.slice(1).some((part) => Number(part) > 255)) return false;
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/** Loopback, unique-local (fc00::/7), link-local (fe80::/10) IPv6, and IPv4-mapped private ones. */
function isPrivateIpv6(address: string): boolean {
  if (!address.includes(':')) return false;
  if (address === '::1') return true;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped) return isPrivateIpv4(mapped[1] as string);
  return /^f[cd][0-9a-f]{0,2}:/.test(address) || /^fe[89ab][0-9a-f]?:/.test(address);
}

/** Rule 3's host test: a same-origin page on a host only a local or private network reaches. */
function isTrustedSameOriginHost(hostname: string, socketIsLoopback: boolean): boolean {
  if (isLoopbackHostname(hostname)) return socketIsLoopback;
  if (IPV4.test(hostname)) return isPrivateIpv4(hostname);
  if (hostname.includes(':')) return isPrivateIpv6(hostname);
  return hostname.endsWith('.local') || hostname.endsWith('.ts.net');
}

/** How an accepted origin matched (CONTROL-UI.md §3 order). */
export type OriginMatch = 'not-browser' | 'allowlist' | 'host-header-fallback' | 'private-same-origin' | 'local-loopback';

/** The rule an origin passes, or the reason it is refused. */
export function matchBrowserOrigin(socket: SocketOrigin | undefined, client: ClientInfo): { ok: true; matchedBy: OriginMatch } | { ok: false; reason: string } {
  if (!socket || !isBrowserConnect(socket, client)) return { ok: true, matchedBy: 'not-browser' };
  const parsed = normalizeOrigin(socket.origin);
  if (!parsed) return { ok: false, reason: 'origin missing or invalid' };
  const allowed = socket.policy.allowedOrigins;
  if (allowed.includes('*') || allowed.some((entry) => entry.toLowerCase().replace(/\/$/, '') === parsed.origin)) return { ok: true, matchedBy: 'allowlist' };
  const host = socket.host?.trim().toLowerCase();
  if (host && parsed.host === host) {
    if (socket.policy.allowHostHeaderOriginFallback === true) return { ok: true, matchedBy: 'host-header-fallback' };
    if (isTrustedSameOriginHost(hostHeaderName(host), socket.isLoopback)) return { ok: true, matchedBy: 'private-same-origin' };
  }
  if (socket.isLoopback && isLoopbackHostname(parsed.hostname)) return { ok: true, matchedBy: 'local-loopback' };
  return { ok: false, reason: 'origin not allowed' };
}

/** null when the connect may go on; otherwise the reason it is refused. */
export function checkBrowserOrigin(socket: SocketOrigin | undefined, client: ClientInfo): string | null {
  const match = matchBrowserOrigin(socket, client);
  return match.ok ? null : match.reason;
}

/**
 * The origins a non-loopback bind allows when `allowedOrigins` is not configured:
 * `http://localhost:<port>`, `http://127.0.0.1:<port>`, plus the custom bind host.
 */
export function seededOrigins(hosts: readonly string[], port: number): string[] {
  const loopbackOnly = hosts.every((host) => host === '127.0.0.1' || host === '::1' || host === 'localhost');
  if (loopbackOnly) return [];
  const seeded = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  for (const host of hosts) if (host !== '0.0.0.0' && host !== '::') seeded.push(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  return [...new Set(seeded)];
}

/** Browser clients that must sign their connect with a device key (the Control UI). */
const DEVICE_REQUIRED_CLIENT_IDS = new Set(['openclaw-control-ui']);

/** Why a browser connect is refused before its credentials are looked at, or null. */
export function browserConnectRefusal(
  socket: SocketOrigin | undefined,
  params: ConnectParams,
): { key: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' | 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED'; details: { code: string; reason?: string } } | null {
  const origin = checkBrowserOrigin(socket, params.client);
  if (origin) return { key: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', reason: origin } };
  if (DEVICE_REQUIRED_CLIENT_IDS.has(params.client.id) && !params.device) {
    return { key: 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED', details: { code: 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED' } };
  }
  return null;
}
