import { describe, expect, it } from 'vitest';
import { checkBrowserOrigin, hostHeaderName, matchBrowserOrigin, normalizeOrigin, seededOrigins, type SocketOrigin } from '../../machines/browser-origin.js';
import type { ClientInfo } from '../../protocol/connect.js';

const ui: ClientInfo = { id: 'openclaw-control-ui', version: '1', platform: 'web', mode: 'webchat' };
const cli: ClientInfo = { id: 'cli', version: '1', platform: 'linux', mode: 'cli' };

const socket = (origin: string | undefined, overrides: Partial<SocketOrigin> & { fallback?: boolean; allowed?: string[] } = {}): SocketOrigin => ({
  origin,
  isLoopback: overrides.isLoopback ?? false,
  host: overrides.host,
  policy: { allowedOrigins: overrides.allowed ?? [], ...(overrides.fallback ? { allowHostHeaderOriginFallback: true } : {}) },
});
const matched = (s: SocketOrigin, client: ClientInfo = ui) => {
  const result = matchBrowserOrigin(s, client);
  return result.ok ? result.matchedBy : result.reason;
};

describe('browser Origin rule (CONTROL-UI.md §3)', () => {
  it('leaves non-browser connects alone and refuses a browser client without a usable Origin', () => {
    expect(matched(socket(undefined, { isLoopback: true }), cli)).toBe('not-browser');
    expect(matched(socket(undefined, { isLoopback: true }))).toBe('origin missing or invalid');
    expect(matched(socket('null', { isLoopback: true }))).toBe('origin missing or invalid');
    expect(matched(socket('http://evil.example/path'))).toBe('origin missing or invalid');
    // An Origin header makes any client a browser client.
    expect(matched(socket('http://evil.example', { isLoopback: true }), cli)).toBe('origin not allowed');
  });

  it('accepts in the official order: allowlist, Host fallback (flag), private same-origin, local loopback', () => {
    expect(matched(socket('https://UI.Example.com', { allowed: ['https://ui.example.com/'] }))).toBe('allowlist');
    expect(matched(socket('https://anything.example', { allowed: ['*'] }))).toBe('allowlist');
    expect(matched(socket('https://gw.example.com:8443', { host: 'gw.example.com:8443', fallback: true }))).toBe('host-header-fallback');
    expect(matched(socket('http://192.168.1.5:18789', { host: '192.168.1.5:18789' }))).toBe('private-same-origin');
    expect(matched(socket('http://127.0.0.1:31230', { isLoopback: true, host: '127.0.0.1:18789' }))).toBe('local-loopback');
  });

  it('the Host fallback is off by default and needs the exact host[:port]', () => {
    expect(matched(socket('https://gw.example.com', { host: 'gw.example.com' }))).toBe('origin not allowed');
    expect(matched(socket('https://gw.example.com', { host: 'gw.example.com:8443', fallback: true }))).toBe('origin not allowed');
    expect(matched(socket('https://gw.example.com', { fallback: true }))).toBe('origin not allowed');
    expect(matched(socket('https://GW.example.com', { host: 'gw.EXAMPLE.com', fallback: true }))).toBe('host-header-fallback');
  });

  it('same-origin without the flag only for private hosts', () => {
    for (const host of ['10.1.2.3:18789', '172.16.0.9:18789', '172.31.255.1', '192.168.0.10', '169.254.3.4:80', '100.100.7.8:18789', 'box.local:18789', 'box.tail1234.ts.net', '[fd12:3456::1]:18789', '[fe80::1]:18789']) {
      expect(matched(socket(`http://${host}`, { host })), host).toBe('private-same-origin');
    }
    for (const host of ['203.0.113.9:18789', '172.32.0.1', '8.8.8.8', 'gw.example.com', '[2001:db8::1]:18789', '999.1.1.1']) {
      expect(matched(socket(`http://${host}`, { host })), host).toBe('origin not allowed');
    }
    // A loopback Host counts only for a socket that is itself local.
    expect(matched(socket('http://localhost:18789', { host: 'localhost:18789', isLoopback: true }))).toBe('private-same-origin');
    expect(matched(socket('http://localhost:18789', { host: 'localhost:18789', isLoopback: false }))).toBe('origin not allowed');
    // A page on another private host is not same-origin.
    expect(matched(socket('http://192.168.1.6:18789', { host: '192.168.1.5:18789' }))).toBe('origin not allowed');
  });

  it('checkBrowserOrigin is null when allowed, the reason otherwise', () => {
    expect(checkBrowserOrigin(undefined, ui)).toBeNull();
    expect(checkBrowserOrigin(socket('http://192.168.1.5', { host: '192.168.1.5' }), ui)).toBeNull();
    expect(checkBrowserOrigin(socket('http://evil.example', { host: '192.168.1.5' }), ui)).toBe('origin not allowed');
  });

  it('parses origins and Host headers', () => {
    expect(normalizeOrigin('HTTP://[::1]:8080/')).toEqual({ origin: 'http://[::1]:8080', host: '[::1]:8080', hostname: '::1' });
    expect(normalizeOrigin('https://a.example')).toEqual({ origin: 'https://a.example', host: 'a.example', hostname: 'a.example' });
    expect(normalizeOrigin('ftp://a.example')).toBeNull();
    expect(hostHeaderName('[FE80::1]:80')).toBe('fe80::1');
    expect(hostHeaderName('fe80::1')).toBe('fe80::1');
    expect(hostHeaderName('Box.Local:18789')).toBe('box.local');
  });

  it('seeds localhost, 127.0.0.1 and the bind host for non-loopback binds only', () => {
    expect(seededOrigins(['127.0.0.1'], 18789)).toEqual([]);
    expect(seededOrigins(['0.0.0.0'], 18789)).toEqual(['http://localhost:18789', 'http://127.0.0.1:18789']);
    expect(seededOrigins(['192.168.1.5'], 18789)).toEqual(['http://localhost:18789', 'http://127.0.0.1:18789', 'http://192.168.1.5:18789']);
  });
});
