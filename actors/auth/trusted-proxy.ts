import { networkInterfaces } from 'node:os';
import type { AuthPolicy } from '../../machines/connection-rules.js';
import { judgeTrustedProxy, type ProxyVerdict } from '../../machines/trusted-proxy-rules.js';

/** The host's own non-loopback addresses: a peer using one of them is not the proxy (spoofing guard). */
export function localInterfaceAddresses(): string[] {
  const addresses: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const entry of list ?? []) if (!entry.internal) addresses.push(entry.address);
  return addresses;
}

/** The trusted-proxy verdict of one request or upgrade (machines/trusted-proxy-rules.ts decides). */
export function proxyVerdictOf(auth: AuthPolicy, peer: { readonly remoteAddress: string; readonly headers?: Readonly<Record<string, string>> }): ProxyVerdict {
  return judgeTrustedProxy(auth.trustedProxy, { remoteAddress: peer.remoteAddress, headers: peer.headers ?? {}, localAddresses: localInterfaceAddresses() });
}

/** The policy one socket's `connect` is judged by: under trusted-proxy, with that socket's verdict. */
export function connectionAuth(auth: AuthPolicy, socket: { readonly remoteAddress: string; readonly headers?: Readonly<Record<string, string>> }): AuthPolicy {
  return auth.mode === 'trusted-proxy' ? { ...auth, proxyVerdict: proxyVerdictOf(auth, socket) } : auth;
}
