/**
 * The browser Origin rule of `connect` (CONTROL-UI.md §3), pure: everything arrives as arguments.
 * A socket whose upgrade carried an `Origin`, or a client that says it is a browser UI, must come
 * from an allowed origin: `gateway.controlUi.allowedOrigins` (`*` or the exact origin), or a
 * loopback origin (any port) when the socket itself is local.
 */
import type { ClientInfo, ConnectParams } from '../protocol/connect.js';

/** Where browsers may open an operator session from (resolved by bin/ from the config and bind). */
export interface OriginPolicy {
  /** Full origins (`scheme://host[:port]`, lowercased) or `*`. */
  readonly allowedOrigins: readonly string[];
}

/** What the transport knew about the socket when it opened. */
export interface SocketOrigin {
  /** The upgrade's `Origin` header, if any. */
  readonly origin: string | undefined;
  /** True when the peer is on a loopback address. */
  readonly isLoopback: boolean;
  readonly policy: OriginPolicy;
}

const BROWSER_CLIENT_IDS = new Set(['openclaw-control-ui', 'openclaw-browser-copilot', 'webchat-ui']);

/** True when the Origin rule applies to this connect. */
export function isBrowserConnect(socket: SocketOrigin, client: ClientInfo): boolean {
  return socket.origin !== undefined || BROWSER_CLIENT_IDS.has(client.id) || client.mode === 'webchat';
}

/** `scheme://host[:port]` lowercased, or null when the header is not an http(s) origin. */
export function normalizeOrigin(raw: string | undefined): { origin: string; hostname: string } | null {
  if (!raw || raw === 'null') return null;
  const match = /^(https?):\/\/(\[[0-9a-f:.]+\]|[^/:?#\s]+)(?::(\d{1,5}))?\/?$/i.exec(raw.trim());
  if (!match) return null;
  const [, scheme, host, port] = match as unknown as [string, string, string, string | undefined];
  const hostname = host.toLowerCase();
  return { origin: `${scheme.toLowerCase()}://${hostname}${port ? `:${port}` : ''}`, hostname: hostname.replace(/^\[|\]$/g, '') };
}

const isLoopbackHostname = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/** null when the connect may go on; otherwise the reason it is refused. */
export function checkBrowserOrigin(socket: SocketOrigin | undefined, client: ClientInfo): string | null {
  if (!socket || !isBrowserConnect(socket, client)) return null;
  const parsed = normalizeOrigin(socket.origin);
  if (!parsed) return 'origin missing or invalid';
  const allowed = socket.policy.allowedOrigins;
  if (allowed.includes('*') || allowed.some((entry) => entry.toLowerCase().replace(/\/$/, '') === parsed.origin)) return null;
  if (socket.isLoopback && isLoopbackHostname(parsed.hostname)) return null;
  return 'origin not allowed';
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
