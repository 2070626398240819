/**
 * Shared-secret authentication at connect (PROTOCOL.md §2.4, §3.2): the secret is accepted in
 * `auth.token` or `auth.password`, failures are INVALID_REQUEST "unauthorized: …" with a
 * `details.code`, then close 1008; auth is required by default.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { spawnCli, type Daemon } from '../helpers/cli-process.js';
import { ClientPool, params } from '../helpers/client-pool.js';

const AUTH_DETAILS = { canRetryWithDeviceToken: false, recommendedNextStep: 'update_auth_credentials' };

const TOKEN_MISMATCH = {
  code: 'INVALID_REQUEST',
  message: 'unauthorized: gateway token mismatch (check the token in your config or OPENCLAW_GATEWAY_TOKEN)',
  details: { code: 'AUTH_TOKEN_MISMATCH', authReason: 'token_mismatch', ...AUTH_DETAILS },
};
const TOKEN_MISSING = {
  code: 'INVALID_REQUEST',
  message: 'unauthorized: gateway token missing (provide auth.token or auth.password)',
  details: { code: 'AUTH_TOKEN_MISSING', authReason: 'token_missing', ...AUTH_DETAILS },
};
const PASSWORD_MISMATCH = {
  code: 'INVALID_REQUEST',
  message: 'unauthorized: gateway password mismatch',
  details: { code: 'AUTH_PASSWORD_MISMATCH', authReason: 'password_mismatch', ...AUTH_DETAILS },
};
const PASSWORD_MISSING = {
  code: 'INVALID_REQUEST',
  message: 'unauthorized: gateway password missing (provide auth.password)',
  details: { code: 'AUTH_PASSWORD_MISSING', authReason: 'password_missing', ...AUTH_DETAILS },
};

describe('token auth (--token)', () => {
  let gateway: GatewayProcess;
  const pool = new ClientPool(() => gateway.url);
  beforeAll(async () => {
    gateway = await startGatewayProcess({ token: 'tok-e2e-secret' });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await gateway?.stop();
    gateway?.cleanup();
  });

  it('accepts the token in auth.token', async () => {
    const { res } = await pool.attempt(params({ auth: { token: 'tok-e2e-secret' } }));
    expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok', auth: { role: 'operator' } } });
  });

  it('accepts the token in auth.password', async () => {
    const { res } = await pool.attempt(params({ auth: { password: 'tok-e2e-secret' } }));
    expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
  });

  it('refuses a wrong token with AUTH_TOKEN_MISMATCH and closes 1008 with the message', async () => {
    const { client, res } = await pool.attempt(params({ auth: { token: 'tok-e2e-wrong' } }));
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: TOKEN_MISMATCH });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: TOKEN_MISMATCH.message });
  });

  it('refuses a token that is a prefix of the real one', async () => {
    const { client, res } = await pool.attempt(params({ auth: { token: 'tok-e2e' } }));
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: TOKEN_MISMATCH });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: TOKEN_MISMATCH.message });
  });

  it('refuses a connect without auth with AUTH_TOKEN_MISSING and closes 1008', async () => {
    const { auth: _none, ...noAuth } = params();
    const { client, res } = await pool.attempt(noAuth);
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: TOKEN_MISSING });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: TOKEN_MISSING.message });
  });

  it('treats empty auth strings as missing', async () => {
    const { client, res } = await pool.attempt(params({ auth: { token: '', password: '' } }));
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: TOKEN_MISSING });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: TOKEN_MISSING.message });
  });
});

describe('password auth (--password)', () => {
  let gateway: GatewayProcess;
  const pool = new ClientPool(() => gateway.url);
  beforeAll(async () => {
    // The helper also passes --token; --password switches the mode, so only the password counts.
    gateway = await startGatewayProcess({ token: 'tok-not-the-secret', args: ['--password', 'pw-e2e-secret'] });
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await gateway?.stop();
    gateway?.cleanup();
  });

  it('accepts the password in auth.password', async () => {
    const { res } = await pool.attempt(params({ auth: { password: 'pw-e2e-secret' } }));
    expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
  });

  it('accepts the password in auth.token', async () => {
    const { res } = await pool.attempt(params({ auth: { token: 'pw-e2e-secret' } }));
    expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
  });

  it('refuses the --token value in password mode with AUTH_PASSWORD_MISMATCH, close 1008', async () => {
    const { client, res } = await pool.attempt(params({ auth: { token: 'tok-not-the-secret' } }));
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: PASSWORD_MISMATCH });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: PASSWORD_MISMATCH.message });
  });

  it('refuses a connect without credentials with AUTH_PASSWORD_MISSING, close 1008', async () => {
    const { client, res } = await pool.attempt(params({ auth: {} }));
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: PASSWORD_MISSING });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: PASSWORD_MISSING.message });
  });
});

describe('auth by default (no --token, no --password)', () => {
  let daemon: Daemon;
  let stateDir: string;
  let url: string;
  const pool = new ClientPool(() => url);
  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'));
    const port = await freePort();
    url = `ws://127.0.0.1:${port}`;
    daemon = spawnCli(['gateway', '--port', String(port)], { OPENCLAW_STATE_DIR: stateDir });
    await daemon.waitForOutput(/listening on ws:\/\//);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await daemon?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('generates a token on first start and requires it: no credentials → AUTH_TOKEN_MISSING', async () => {
    const { auth: _none, ...noAuth } = params();
    const { client, res } = await pool.attempt(noAuth);
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: TOKEN_MISSING });
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: TOKEN_MISSING.message });
  });

  it('accepts the generated token saved in openclaw.json', async () => {
    const config = JSON.parse(readFileSync(join(stateDir, 'openclaw.json'), 'utf8')) as { gateway: { auth: { mode: string; token: string } } };
    expect(config.gateway.auth.mode).toBe('token');
    expect(config.gateway.auth.token).toMatch(/^[0-9a-f]{48}$/);
    const { res } = await pool.attempt(params({ auth: { token: config.gateway.auth.token } }));
    expect(res).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
  });
});
