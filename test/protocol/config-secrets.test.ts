/** `secrets.*` and SecretRef fields of `openclaw.json`: closed schemas, errors that name the key path. */
import { describe, expect, it } from 'vitest';
import { isGatewayFileConfig } from '../../protocol/config.js';

const issue = (value: unknown): string => {
  expect(isGatewayFileConfig(value)).toBe(false);
  return isGatewayFileConfig.lastError();
};

describe('secrets config', () => {
  it('accepts plaintext, ${ENV} shorthand and SecretRef objects where credentials go', () => {
    expect(
      isGatewayFileConfig({
        gateway: { auth: { token: '${GW_TOKEN}', password: { source: 'file', provider: 'main', id: '/gateway/password' } } },
        models: { providers: { openai: { apiKey: { source: 'exec', provider: 'vault', id: 'openai/key' } } } },
        secrets: {
          providers: {
            main: { source: 'file', path: '~/.openclaw/secrets.json', mode: 'json' },
            vault: { source: 'exec', command: '/usr/local/bin/resolver', args: ['--prod'], passEnv: ['PATH'], jsonOnly: true },
            default: { source: 'env', allowlist: ['GW_TOKEN'] },
          },
          defaults: { env: 'default', file: 'main', exec: 'vault' },
        },
      }),
    ).toBe(true);
  });

  it('names the key path of a provider that misses or adds a key (against the branch its source selects)', () => {
    expect(issue({ secrets: { providers: { f: { source: 'file' } } } })).toBe('secrets.providers.f.path: required');
    expect(issue({ secrets: { providers: { f: { source: 'file', path: '/x', bogus: 1 } } } })).toBe('secrets.providers.f.bogus: unknown key');
    expect(issue({ secrets: { providers: { v: { source: 'exec', command: '/x', timeoutMs: 0 } } } })).toBe('secrets.providers.v.timeoutMs: expected integer 1–120000, got 0');
    expect(issue({ secrets: { bogus: 1 } })).toBe('secrets.bogus: unknown key');
    expect(issue({ gateway: { auth: { token: { source: 'file', id: 'value', extra: 1 } } } })).toBe('gateway.auth.token.extra: unknown key');
    expect(issue({ gateway: { auth: { token: { source: 'vault', id: 'x' } } } })).toBe('gateway.auth.token.source: expected one of "env", "file", "exec", got "vault"');
  });
});

describe('hooks, trusted-proxy and admin RPC config', () => {
  it('names the key path of an unknown or mistyped key', () => {
    expect(issue({ hooks: { enabled: 'yes' } })).toBe('hooks.enabled: expected boolean (true or false), got "yes"');
    expect(issue({ hooks: { tokne: 'x' } })).toBe('hooks.tokne: unknown key');
    expect(issue({ hooks: { mappings: [{ transform: { module: 'x.js' } }] } })).toBe('hooks.mappings[0].transform: unknown key');
    expect(issue({ gateway: { auth: { trustedProxy: { allowLoopback: true } } } })).toBe('gateway.auth.trustedProxy.userHeader: required');
    expect(issue({ gateway: { trustedProxies: '10.0.0.1' } })).toBe('gateway.trustedProxies: expected array, got "10.0.0.1"');
    expect(issue({ plugins: { entries: { 'admin-http-rpc': { enable: true } } } })).toBe('plugins.entries.admin-http-rpc.enable: unknown key');
    expect(isGatewayFileConfig({ plugins: { entries: { other: { anything: 1 } } }, hooks: { enabled: true, token: 't', gmail: { account: 'a' } } })).toBe(true);
  });
});
