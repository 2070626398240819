/**
 * `gateway.auth.mode: "trusted-proxy"` (official docs/gateway/trusted-proxy-auth.md): an
 * identity-aware reverse proxy authenticates users and names them in a header; the gateway only
 * trusts that header on requests whose TCP peer is a configured proxy. Pure rules: the peer's
 * address, headers and the host's own interface addresses arrive as arguments.
 *
 *   client ──TLS/SSO──> proxy (in gateway.trustedProxies) ──x-forwarded-user, x-forwarded-for──> gateway
 *   client ──────────────────────────────────────────────────────────────────────X (untrusted source)
 *
 * Rules, in the official order: the peer must be a trusted proxy (`trusted_proxy_untrusted_source`);
 * its forwarded client address must resolve to a non-loopback client (`proxy_attribution_required`);
 * a loopback proxy needs `allowLoopback` (`trusted_proxy_loopback_source`); a peer that is one of the
 * host's own addresses is refused (`trusted_proxy_local_interface_source`); `requiredHeaders` and
 * `userHeader` must be present and non-blank; `allowUsers`, when set, must list the user.
 */

/** The trusted-proxy settings, resolved from `gateway.trustedProxies` and `gateway.auth.trustedProxy`. */
export interface TrustedProxyPolicy {
  /** Proxy addresses or CIDRs (`gateway.trustedProxies`); empty refuses everything. */
  readonly proxies: readonly string[];
  /** Header with the authenticated user (lower-case). */
  readonly userHeader: string;
  readonly requiredHeaders: readonly string[];
  /** Empty: every authenticated user. */
  readonly allowUsers: readonly string[];
  readonly allowLoopback: boolean;
  /** Accept `x-real-ip` when `x-forwarded-for` is absent (`gateway.allowRealIpFallback`). */
  readonly allowRealIpFallback: boolean;
}

/** What the gateway knows about one request or upgrade. */
export interface ProxyPeer {
  readonly remoteAddress: string;
  /** Request headers by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The host's own non-loopback interface addresses (the spoofing guard). */
  readonly localAddresses: readonly string[];
}

/** The outcome for one peer. `localDirect`: a loopback peer without forwarded headers (may use the password). */
export type ProxyVerdict =
  | { readonly ok: true; readonly user: string; readonly scopes?: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly localDirect: boolean };

const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

/** Judges one peer against the policy. */
export function judgeTrustedProxy(policy: TrustedProxyPolicy | undefined, peer: ProxyPeer): ProxyVerdict {
  const header = (name: string): string | undefined => {
    const value = peer.headers[name.toLowerCase()]?.trim();
    return value ? value : undefined;
  };
  const loopback = isLoopbackIp(peer.remoteAddress);
  const forwarded = FORWARDED.some((name) => header(name) !== undefined) || Object.keys(peer.headers).some((name) => name.startsWith('x-forwarded-'));
  const fail = (reason: string): ProxyVerdict => ({ ok: false, reason, localDirect: loopback && !forwarded });
  if (!policy) return fail('trusted_proxy_config_missing');
  if (policy.proxies.length === 0) return fail('trusted_proxy_no_proxies_configured');
  const trusted = (address: string) => policy.proxies.some((range) => ipInRange(address, range));
  if (!trusted(peer.remoteAddress)) return fail('trusted_proxy_untrusted_source');
  const client = forwardedClient(header('x-forwarded-for'), trusted) ?? (policy.allowRealIpFallback ? header('x-real-ip') : undefined);
  if (!client || parseIp(client) === undefined || isLoopbackIp(client)) return fail('proxy_attribution_required');
  if (loopback && !policy.allowLoopback) return fail('trusted_proxy_loopback_source');
  if (!loopback && peer.localAddresses.some((local) => sameIp(local, peer.remoteAddress))) return fail('trusted_proxy_local_interface_source');
  for (const name of policy.requiredHeaders) if (!header(name)) return fail(`trusted_proxy_missing_header_${name.toLowerCase()}`);
  const user = header(policy.userHeader);
  if (!user) return fail('trusted_proxy_user_missing');
  if (policy.allowUsers.length > 0 && !policy.allowUsers.includes(user)) return fail('trusted_proxy_user_not_allowed');
  const scopes = peer.headers['x-openclaw-scopes'];
  return scopes === undefined ? { ok: true, user } : { ok: true, user, scopes: scopes.split(',').map((s) => s.trim()).filter((s) => s.length > 0) };
}

/** The client of an `x-forwarded-for` chain: the right-most hop that is not a trusted proxy. */
function forwardedClient(chain: string | undefined, trusted: (address: string) => boolean): string | undefined {
  if (!chain) return undefined;
  const hops = chain.split(',').map((hop) => hop.trim().replace(/^\[|\](:\d+)?$/g, '')).filter((hop) => hop.length > 0);
  for (let i = hops.length - 1; i >= 0; i -= 1) if (!trusted(hops[i]!)) return hops[i];
  return undefined;
}

/** An address as bits: IPv4 as 32, IPv6 as 128 (IPv4-mapped IPv6 counts as its IPv4). */
interface Ip {
  readonly v4: boolean;
  readonly bits: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text.split('%')[0] ?? '';
  let tail: bigint | undefined;
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.') && lastColon >= 0) {
    tail = parseIpv4(body.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    body = `${body.slice(0, lastColon)}:0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tail !== undefined) value = (value & ~0xffffffffn) | tail;
  return value;
}

function parseIp(text: string): Ip | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { v4: true, bits: v4 };
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v4: true, bits: v6 & 0xffffffffn };
  return { v4: false, bits: v6 };
}

/** True when `address` is `range` (an address) or inside it (a CIDR). */
export function ipInRange(address: string, range: string): boolean {
  const ip = parseIp(address);
  const [base, prefixText] = range.trim().split('/');
  if (!ip || !base) return false;
  const net = parseIp(base);
  if (!net) return false;
  const mappedRange = !parseIpv4(base) && net.v4;
  let prefix = prefixText === undefined ? (net.v4 ? 32 : 128) : Number(prefixText);
  if (mappedRange && prefixText !== undefined) prefix -= 96; // `::ffff:10.0.0.0/104` is 10.0.0.0/8
  const width = net.v4 ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > width || ip.v4 !== net.v4) return false;
  const shift = BigInt(width - prefix);
  return ip.bits >> shift === net.bits >> shift;
}

const sameIp = (a: string, b: string): boolean => {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.v4 === y.v4 && x.bits === y.bits;
};

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackIp(address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  return ip.v4 ? ip.bits >> 24n === 127n : ip.bits === 1n;
}

/** A trusted-proxy handshake failure: the catalogue key and the official `authReason`. */
export interface TrustedProxyFailure {
  readonly key: 'AUTH_UNAUTHORIZED' | 'AUTH_IDENTITY_HEADER_REQUIRED' | 'AUTH_PASSWORD_MISMATCH';
  readonly reason: string;
}

/**
 * The `connect` decision under trusted-proxy auth: the socket's verdict, or, for a local direct
 * client (loopback, no forwarded headers) that offers `password`, the configured password
 * (internal clients that do not travel through the proxy). Null admits.
 */
export function trustedProxyFailure(
  auth: { readonly secret?: string; readonly proxyVerdict?: ProxyVerdict },
  password: string | undefined,
): TrustedProxyFailure | null {
  const verdict = auth.proxyVerdict ?? { ok: false, reason: 'trusted_proxy_no_request', localDirect: false };
  if (verdict.ok) return null;
  if (verdict.localDirect && auth.secret && password) {
    return constantTimeEqual(password, auth.secret) ? null : { key: 'AUTH_PASSWORD_MISMATCH', reason: 'password_mismatch' };
  }
  const key = verdict.reason.startsWith('trusted_proxy_missing_header_') ? 'AUTH_IDENTITY_HEADER_REQUIRED' : 'AUTH_UNAUTHORIZED';
  return { key, reason: verdict.reason };
}

function constantTimeEqual(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i += 1) diff |= (given.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return diff === 0;
}
