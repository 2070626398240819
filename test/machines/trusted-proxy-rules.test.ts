import { describe, expect, it } from 'vitest';
import { ipInRange, judgeTrustedProxy, trustedProxyFailure, type TrustedProxyPolicy } from '../../machines/trusted-proxy-rules.js';

const policy = (overrides: Partial<TrustedProxyPolicy> = {}): TrustedProxyPolicy => ({
  proxies: ['10.0.0.1', '172.17.0.0/16'],
  userHeader: 'x-forwarded-user',
  requiredHeaders: ['x-forwarded-proto'],
  allowUsers: [],
  allowLoopback: false,
  allowRealIpFallback: false,
  ...overrides,
});
const proxied = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-user': 'nick@example.com' };
const judge = (p: TrustedProxyPolicy, remoteAddress: string, headers: Record<string, string> = proxied, localAddresses: string[] = ['192.168.1.5']) =>
  judgeTrustedProxy(p, { remoteAddress, headers, localAddresses });

describe('trusted-proxy rules', () => {
  it('admits the user a trusted proxy names, with x-openclaw-scopes as a cap when sent', () => {
    expect(judge(policy(), '10.0.0.1')).toEqual({ ok: true, user: 'nick@example.com' });
    expect(judge(policy(), '172.17.3.4', { ...proxied, 'x-openclaw-scopes': 'operator.read, operator.write' })).toEqual({
      ok: true,
      user: 'nick@example.com',
      scopes: ['operator.read', 'operator.write'],
    });
  });

  it('refuses in the official order, with the official reasons', () => {
    expect(judge(policy({ proxies: [] }), '10.0.0.1')).toMatchObject({ ok: false, reason: 'trusted_proxy_no_proxies_configured' });
    expect(judge(policy(), '10.9.9.9')).toMatchObject({ ok: false, reason: 'trusted_proxy_untrusted_source' });
    expect(judge(policy(), '10.0.0.1', { ...proxied, 'x-forwarded-for': '' })).toMatchObject({ ok: false, reason: 'proxy_attribution_required' });
    expect(judge(policy(), '10.0.0.1', { ...proxied, 'x-forwarded-for': '127.0.0.1' })).toMatchObject({ ok: false, reason: 'proxy_attribution_required' });
    expect(judge(policy({ proxies: ['127.0.0.1'] }), '127.0.0.1')).toMatchObject({ ok: false, reason: 'trusted_proxy_loopback_source' });
    expect(judge(policy({ proxies: ['192.168.1.5'] }), '192.168.1.5')).toMatchObject({ ok: false, reason: 'trusted_proxy_local_interface_source' });
    expect(judge(policy(), '10.0.0.1', { ...proxied, 'x-forwarded-proto': ' ' })).toMatchObject({ ok: false, reason: 'trusted_proxy_missing_header_x-forwarded-proto' });
    expect(judge(policy(), '10.0.0.1', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' })).toMatchObject({ ok: false, reason: 'trusted_proxy_user_missing' });
    expect(judge(policy({ allowUsers: ['admin@example.com'] }), '10.0.0.1')).toMatchObject({ ok: false, reason: 'trusted_proxy_user_not_allowed' });
  });

  it('takes the right-most untrusted hop of x-forwarded-for as the client, and x-real-ip only when allowed', () => {
    expect(judge(policy(), '10.0.0.1', { ...proxied, 'x-forwarded-for': '203.0.113.9, 172.17.0.2' })).toMatchObject({ ok: true });
    const realIp = { 'x-real-ip': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-user': 'u' };
    expect(judge(policy(), '10.0.0.1', realIp)).toMatchObject({ ok: false, reason: 'proxy_attribution_required' });
    expect(judge(policy({ allowRealIpFallback: true }), '10.0.0.1', realIp)).toMatchObject({ ok: true, user: 'u' });
  });

  it('lets a same-host proxy in only with allowLoopback', () => {
    expect(judge(policy({ proxies: ['127.0.0.1'], allowLoopback: true }), '127.0.0.1')).toEqual({ ok: true, user: 'nick@example.com' });
  });

  it('marks a loopback peer without forwarded headers as local direct: the password may admit it', () => {
    const verdict = judge(policy(), '127.0.0.1', {});
    expect(verdict).toEqual({ ok: false, reason: 'trusted_proxy_untrusted_source', localDirect: true });
    expect(judge(policy(), '127.0.0.1', { 'x-forwarded-for': '1.2.3.4' })).toMatchObject({ localDirect: false });
    expect(trustedProxyFailure({ secret: 'pw', proxyVerdict: verdict }, 'pw')).toBeNull();
    expect(trustedProxyFailure({ secret: 'pw', proxyVerdict: verdict }, 'nope')).toEqual({ key: 'AUTH_PASSWORD_MISMATCH', reason: 'password_mismatch' });
    expect(trustedProxyFailure({ proxyVerdict: verdict }, 'pw')).toEqual({ key: 'AUTH_UNAUTHORIZED', reason: 'trusted_proxy_untrusted_source' });
    expect(trustedProxyFailure({ proxyVerdict: { ok: false, reason: 'trusted_proxy_missing_header_x-a', localDirect: false } }, undefined)).toEqual({
      key: 'AUTH_IDENTITY_HEADER_REQUIRED',
      reason: 'trusted_proxy_missing_header_x-a',
    });
  });

  it('matches addresses and CIDRs, IPv4-mapped IPv6 included', () => {
    expect(ipInRange('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInRange('::ffff:10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInRange('10.1.2.3', '::ffff:10.0.0.0/104')).toBe(true);
    expect(ipInRange('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(ipInRange('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(ipInRange('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(ipInRange('::1', '::1')).toBe(true);
    expect(ipInRange('fe80::1%eth0', 'fe80::/10')).toBe(true);
    expect(ipInRange('not-an-ip', '10.0.0.0/8')).toBe(false);
  });
});
