import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient } from '../helpers/raw-client.js';
import { seedLinkedCreds, silentWhatsApp, type SilentWhatsApp } from '../helpers/whatsapp-socket.js';

const TRACER = fileURLToPath(new URL('../helpers/import-tracer.mjs', import.meta.url));

/** Starts the built gateway with `config`, tracing which Baileys modules it resolves. */
async function tracedGateway(config: Record<string, unknown>, before?: (stateDir: string) => Promise<void>, env: Record<string, string> = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-wa-lazy-'));
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local' }, ...config }));
  await before?.(stateDir);
  const trace = join(stateDir, 'imports.txt');
  const gateway = await startGatewayProcess({
    stateDir,
    env: { NODE_OPTIONS: `--import=${TRACER}`, OPENCLAW_TRACE_FILE: trace, OPENCLAW_TRACE_MATCH: 'baileys', ...env },
  });
  return { gateway, loaded: () => (existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : []) };
}

describe('WhatsApp is loaded only when configured', () => {
  let gateway: GatewayProcess | undefined;
  let wa: SilentWhatsApp | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway?.cleanup();
    await wa?.close();
    gateway = undefined;
    wa = undefined;
  });

  it('a gateway without channels.whatsapp never imports Baileys, and web.login.* says there is no provider', async () => {
    const traced = await tracedGateway({});
    gateway = traced.gateway;
    const { client } = await connectClient(gateway.url, {}, gateway.token);
    const start = await client.call('web.login.start', {});
    expect(start).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: 'web login provider is not available' } });
    const status = await client.call('channels.status', {});
    expect(status.ok).toBe(true);
    client.close();
    expect(traced.loaded()).toEqual([]);
  }, 60_000);

  it('an unlinked account does not load it either; a linked one does, on its first connect', async () => {
    const unlinked = await tracedGateway({ channels: { whatsapp: {} } });
    gateway = unlinked.gateway;
    const { client } = await connectClient(gateway.url, {}, gateway.token);
    const started = await client.call('channels.start', { channel: 'whatsapp' });
    expect(started).toMatchObject({ ok: true, payload: { channel: 'whatsapp', accountId: 'default', started: false, outcome: { status: 'skipped', reason: 'unlinked' } } });
    client.close();
    expect(unlinked.loaded()).toEqual([]);
    await gateway.stop();
    gateway.cleanup();

    wa = await silentWhatsApp();
    const linked = await tracedGateway(
      { channels: { whatsapp: {} } },
      (stateDir) => seedLinkedCreds(join(stateDir, 'credentials', 'whatsapp', 'default')),
      { OPENCLAW_WHATSAPP_WEB_SOCKET_URL: wa.url },
    );
    gateway = linked.gateway;
    await expect.poll(() => linked.loaded().some((url) => url.includes('@whiskeysockets/baileys')), { timeout: 15_000 }).toBe(true);
  }, 60_000);
});
