import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient } from '../helpers/raw-client.js';
import { seedLinkedCreds, silentWhatsApp, type SilentWhatsApp } from '../helpers/whatsapp-socket.js';

/*
 * `openclaw channels login|logout --channel whatsapp` as processes. WhatsApp's servers are out of
 * reach, so the login runs against a local WebSocket (OPENCLAW_WHATSAPP_WEB_SOCKET_URL, the
 * official transport seam) that hangs up at once: the login must say so and exit 1.
 */

describe('openclaw channels login|logout for WhatsApp', () => {
  let gateway: GatewayProcess | undefined;
  let wa: SilentWhatsApp | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    await wa?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    gateway = undefined;
    wa = undefined;
    dir = undefined;
  });

  it('login reports a WhatsApp Web connection that ends before any QR, and exits 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-wa-cli-'));
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => socket.close());
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const result = await runCli(['channels', 'login', '--channel', 'whatsapp'], {
        env: { OPENCLAW_STATE_DIR: dir, OPENCLAW_WHATSAPP_WEB_SOCKET_URL: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat` },
        timeoutMs: 30_000,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Waiting for WhatsApp connection...');
      expect(result.stdout).toMatch(/Channel login failed: .*\(status 428\)/);
      expect(existsSync(`${join(dir, 'credentials', 'whatsapp', 'default')}.lock`)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);

  it('login refuses a channel without QR login, and logout clears the linked auth through the gateway', async () => {
    const telegram = await runCli(['channels', 'login', '--channel', 'telegram'], { timeoutMs: 15_000 });
    expect(telegram.code).not.toBe(0);
    expect(telegram.stdout + telegram.stderr).toContain('Telegram does not use channels login');

    wa = await silentWhatsApp();
    const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-wa-cli-'));
    writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local' }, channels: { whatsapp: {} } }));
    const authDir = join(stateDir, 'credentials', 'whatsapp', 'default');
    await seedLinkedCreds(authDir);
    gateway = await startGatewayProcess({ stateDir, env: { OPENCLAW_WHATSAPP_WEB_SOCKET_URL: wa.url } });
    const env = { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_URL: gateway.url, OPENCLAW_GATEWAY_TOKEN: gateway.token };
    const out = await runCli(['channels', 'logout', '--channel', 'whatsapp'], { env, timeoutMs: 15_000 });
    expect(out.stdout).toBe('Logged out whatsapp/default.\n');
    expect(out.code).toBe(0);
    expect(existsSync(authDir)).toBe(false);
    const again = await runCli(['channels', 'logout', '--channel', 'whatsapp'], { env, timeoutMs: 15_000 });
    expect(again.stdout).toBe('No saved auth was cleared for whatsapp/default. Other credentials may still be active.\n');

    const { client } = await connectClient(gateway.url, {}, gateway.token);
    const status = await client.call('channels.status', { channel: 'whatsapp' });
    client.close();
    expect(status).toMatchObject({ ok: true, payload: { channels: { whatsapp: { linked: false, statusState: 'not-linked' } } } });
  }, 60_000);
});
