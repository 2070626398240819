/**
 * `gateway.auth.mode: "trusted-proxy"` end to end (issue 11, item 2). The test plays the reverse
 * proxy from 127.0.0.1 (a same-host proxy: `allowLoopback`), sending the identity header on the
 * WebSocket upgrade; direct connections without it are refused, a local client may use the password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { spawnCli, type Daemon } from '../helpers/cli-process.js';
import { RawClient, connectParams } from '../helpers/raw-client.js';

let stateDir: string;
let daemon: Daemon | undefined;
let port: number;

const proxyHeaders = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-user': 'nick@example.com' };

async function start(trustedProxy: Record<string, unknown>, extra: Record<string, unknown> = {}, args: string[] = []): Promise<Daemon> {
  const config = {
    gateway: { mode: 'local', port, trustedProxies: ['127.0.0.1', '::1'], auth: { mode: 'trusted-proxy', password: 'local-pass-123', trustedProxy }, ...extra },
  };
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
  daemon = spawnCli(['gateway', ...args], { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(stateDir, 'openclaw.json') });
  await daemon.waitForOutput(/listening on ws:\/\//);
  return daemon;
}

/** Connects with `headers` on the upgrade and `auth` in connect; the connect response. */
async function connect(headers: Record<string, string>, auth: Record<string, string> = {}): Promise<{ client: RawClient; res: Record<string, unknown> }> {
  const client = await RawClient.open(`ws://127.0.0.1:${port}`, { headers });
  await client.event('connect.challenge');
  const res = await client.response(client.request('connect', { ...connectParams(), auth }));
  return { client, res };
}

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'openclaw-proxy-'));
  port = await freePort();
});
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

describe('trusted-proxy auth', () => {
  it('admits the user the proxy names, and refuses a request without the identity header', async () => {
    await start({ userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], allowLoopback: true });
    const admitted = await connect(proxyHeaders);
    expect(admitted.res.ok).toBe(true);
    expect((await admitted.client.call('health')).ok).toBe(true);
    admitted.client.close();

    const { 'x-forwarded-user': _user, ...noUser } = proxyHeaders;
    const refused = await connect(noUser);
    expect(refused.res.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'unauthorized: trusted proxy auth failed (trusted_proxy_user_missing)',
      details: { code: 'AUTH_UNAUTHORIZED', authReason: 'trusted_proxy_user_missing', canRetryWithDeviceToken: false, recommendedNextStep: 'update_auth_credentials' },
    });
    expect(await refused.client.waitClosed()).toMatchObject({ code: 1008 });

    const { 'x-forwarded-proto': _proto, ...noProto } = proxyHeaders;
    const missing = await connect(noProto);
    expect(missing.res.error).toMatchObject({ details: { code: 'AUTH_IDENTITY_HEADER_REQUIRED', authReason: 'trusted_proxy_missing_header_x-forwarded-proto' } });
    missing.client.close();
  });

  it('refuses direct connections; a local client without forwarded headers may use the password', async () => {
    await start({ userHeader: 'x-forwarded-user', allowLoopback: true });
    const direct = await connect({}, { token: 'anything' });
    expect(direct.res.error).toMatchObject({ details: { code: 'AUTH_UNAUTHORIZED', authReason: 'proxy_attribution_required' } });
    direct.client.close();
    const local = await connect({}, { password: 'local-pass-123' });
    expect(local.res.ok).toBe(true);
    local.client.close();
    const wrong = await connect({}, { password: 'nope' });
    expect(wrong.res.error).toMatchObject({ details: { code: 'AUTH_PASSWORD_MISMATCH', authReason: 'password_mismatch' } });
    wrong.client.close();
    // Identity headers do not make a loopback proxy trusted without allowLoopback.
  });

  it('refuses a loopback proxy without allowLoopback, and a proxy not in trustedProxies', async () => {
    await start({ userHeader: 'x-forwarded-user' });
    const loop = await connect(proxyHeaders);
    expect(loop.res.error).toMatchObject({ details: { code: 'AUTH_UNAUTHORIZED', authReason: 'trusted_proxy_loopback_source' } });
    loop.client.close();
    await daemon?.stop('SIGKILL');
    await start({ userHeader: 'x-forwarded-user', allowLoopback: true }, { trustedProxies: ['10.0.0.1'] });
    const untrusted = await connect(proxyHeaders);
    expect(untrusted.res.error).toMatchObject({ details: { code: 'AUTH_UNAUTHORIZED', authReason: 'trusted_proxy_untrusted_source' } });
    untrusted.client.close();
  });

  it('counts as auth for a non-loopback bind (the no-auth refusal does not apply)', async () => {
    await start({ userHeader: 'x-forwarded-user', allowLoopback: true }, { bind: 'lan' });
    expect(daemon?.output()).toMatch(/listening on ws:\/\/0\.0\.0\.0:/);
  });

  it('refuses to start with a shared token beside trusted-proxy, and without gateway.auth.trustedProxy', async () => {
    const config = { gateway: { mode: 'local', port, auth: { mode: 'trusted-proxy' } } };
    writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
    daemon = spawnCli(['gateway'], { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(stateDir, 'openclaw.json') });
    expect((await daemon.exited).code).toBe(78);
    expect(daemon.stderr()).toBe('openclaw gateway: gateway auth mode is trusted-proxy, but gateway.auth.trustedProxy is missing (set gateway.auth.trustedProxy.userHeader)\n');
    writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({ gateway: { ...config.gateway, auth: { mode: 'trusted-proxy', token: 't', trustedProxy: { userHeader: 'x-u' } } } }));
    daemon = spawnCli(['gateway'], { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(stateDir, 'openclaw.json') });
    expect((await daemon.exited).code).toBe(78);
    expect(daemon.stderr()).toMatch(/trusted-proxy and token auth are mutually exclusive/);
  });
});
