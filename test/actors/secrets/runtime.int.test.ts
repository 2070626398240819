import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRefs } from '../../../actors/secrets/refs.js';
import { resolveSecrets, SecretsRuntime, SecretUnavailableError } from '../../../actors/secrets/runtime.js';
import { secretFiles } from '../../helpers/secret-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-secrets-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const { privateFile, execResolver } = secretFiles(() => dir);

describe('SecretRefs in the config', () => {
  it('finds ${ENV} shorthand only on credential keys, and ref objects anywhere, with key paths', () => {
    const refs = findRefs({
      gateway: { auth: { token: '${GW_TOKEN}' }, customBindHost: '${NOT_A_SECRET}' },
      models: { providers: { openai: { apiKey: '$OPENAI_KEY' } } },
      channels: { telegram: { botToken: { source: 'env', id: 'TG_TOKEN' } } },
    });
    expect(refs.map((r) => [r.path, r.source, r.provider, r.id])).toEqual([
      ['gateway.auth.token', 'env', 'default', 'GW_TOKEN'],
      ['models.providers.openai.apiKey', 'env', 'default', 'OPENAI_KEY'],
      ['channels.telegram.botToken', 'env', 'default', 'TG_TOKEN'],
    ]);
  });

  it('resolves env, file (JSON pointer) and exec refs into one snapshot', async () => {
    const file = privateFile('secrets.json', JSON.stringify({ providers: { 'a/b': { key: 'from-file' } } }));
    const command = execResolver({ 'vault/key#v': 'from-exec' });
    const config = {
      gateway: { auth: { token: '${GW_TOKEN}', password: { source: 'file', provider: 'main', id: '/providers/a~1b/key' } } },
      models: { providers: { x: { apiKey: { source: 'exec', provider: 'vault', id: 'vault/key#v' } } } },
      secrets: { providers: { main: { source: 'file', path: file }, vault: { source: 'exec', command } } },
    };
    const runtime = new SecretsRuntime();
    const prepared = await runtime.prepare(config, { GW_TOKEN: 'from-env' });
    expect(prepared).toMatchObject({ ok: true, refs: 3 });
    if (!prepared.ok) return;
    prepared.activate();
    expect(runtime.value(config.gateway.auth.token, 'gateway.auth.token')).toBe('from-env');
    expect(runtime.value(config.gateway.auth.password, 'gateway.auth.password')).toBe('from-file');
    expect(runtime.value(config.models.providers.x.apiKey, 'models.providers.x.apiKey')).toBe('from-exec');
    expect(runtime.value('plain', 'gateway.auth.token')).toBe('plain');
    expect(() => runtime.value({ source: 'env', id: 'OTHER' }, 'channels.telegram.botToken')).toThrow(SecretUnavailableError);
  });

  it('names the key and the reason of the first ref that fails, never a value', async () => {
    const command = execResolver({});
    expect(await resolveSecrets({ gateway: { auth: { token: { source: 'exec', provider: 'vault', id: 'missing' } } }, secrets: { providers: { vault: { source: 'exec', command } } } }, {})).toEqual({
      ok: false,
      path: 'gateway.auth.token',
      reason: 'exec provider vault returned no value for missing (NOT_FOUND)',
    });
    expect(await resolveSecrets({ gateway: { auth: { token: { source: 'file', provider: 'nope', id: 'value' } } } }, {})).toEqual({
      ok: false,
      path: 'gateway.auth.token',
      reason: 'no file provider "nope" in secrets.providers',
    });
    expect(await resolveSecrets({ x: { apiKey: { source: 'env', id: 'lower' } } }, {})).toMatchObject({ ok: false, path: 'x.apiKey' });
    const allow = { gateway: { auth: { token: '${GW}' } }, secrets: { providers: { default: { source: 'env', allowlist: ['OTHER'] } } } };
    expect(await resolveSecrets(allow, { GW: 'v' })).toEqual({ ok: false, path: 'gateway.auth.token', reason: 'env var GW is not in the provider allowlist' });
  });

  it('keeps the active snapshot when a reload fails, and reports which paths changed when it succeeds', async () => {
    const runtime = new SecretsRuntime();
    const config = { gateway: { auth: { token: '${GW}' } }, models: { providers: { a: { apiKey: '${KEY}' } } } };
    const first = await runtime.prepare(config, { GW: 'one', KEY: 'k' });
    if (first.ok) first.activate();
    expect(await runtime.prepare(config, { KEY: 'k' })).toMatchObject({ ok: false, path: 'gateway.auth.token' });
    expect(runtime.value('${GW}', 'gateway.auth.token')).toBe('one');
    const second = await runtime.prepare(config, { GW: 'two', KEY: 'k' });
    expect(second).toMatchObject({ ok: true, changed: ['gateway.auth.token'] });
    if (second.ok) second.activate();
    expect(runtime.value('${GW}', 'gateway.auth.token')).toBe('two');
  });

  it('refuses a secret file that group or others can read', async () => {
    const path = privateFile('token', 'secret\n', 0o640);
    const config = { gateway: { auth: { token: { source: 'file', provider: 'f', id: 'value' } } }, secrets: { providers: { f: { source: 'file', path, mode: 'singleValue' } } } };
    expect(await resolveSecrets(config, {})).toMatchObject({ ok: false, reason: `file ${path} must not be accessible by group or others (chmod 600)` });
    chmodSync(path, 0o600);
    expect(await resolveSecrets(config, {})).toMatchObject({ ok: true });
  });
});
