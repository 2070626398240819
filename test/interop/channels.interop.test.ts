import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { ensureOfficial, makeOfficialHome, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli, type OfficialCliResult } from '../helpers/official.js';

/**
 * The official CLI's channel commands (CHANNELS.md §6) against our gateway, whose Telegram
 * account polls a fake Bot API. The official CLI takes the gateway from OPENCLAW_GATEWAY_URL and
 * OPENCLAW_GATEWAY_TOKEN (these commands have no --url).
 */

const CLI_TEST_TIMEOUT_MS = 90_000;
const BOT_TOKEN = '123456:FAKE-token-abc';
let telegram: FakeTelegram;
let gateway: GatewayProcess;
let stateDir: string;

const env = (): Record<string, string> => ({ OPENCLAW_GATEWAY_URL: gateway.url, OPENCLAW_GATEWAY_TOKEN: gateway.token });

async function ok(args: string[], extra: Record<string, string> = {}): Promise<OfficialCliResult> {
  const result = await runOfficialCli(args, { ...env(), ...extra });
  expect(result.code, `openclaw ${args.join(' ')}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
  return result;
}

const json = (result: OfficialCliResult): Record<string, any> => {
  const start = result.stdout.indexOf('{');
  return JSON.parse(result.stdout.slice(start)) as Record<string, any>;
};

beforeAll(async () => {
  await ensureOfficial();
  telegram = await startFakeTelegram();
  stateDir = mkdtempSync(join(tmpdir(), 'openclaw-tg-interop-'));
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local' }, channels: { telegram: { botToken: BOT_TOKEN, apiRoot: telegram.apiRoot, dmPolicy: 'pairing' } } }));
  gateway = await startGatewayProcess({ stateDir });
  await telegram.waitFor((calls) => calls.some((c) => c.method === 'getUpdates'), 15_000, 'first poll');
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  await telegram?.close();
});

describe('official CLI channel commands against our gateway', () => {
  it('channels status --probe --json: reachable, the Telegram account probed through getMe', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const status = json(await ok(['channels', 'status', '--probe', '--json']));
    expect(status.gatewayReachable).not.toBe(false);
    expect(status.channelOrder).toEqual(['telegram']);
    expect(status.channelAccounts.telegram[0]).toMatchObject({ accountId: 'default', configured: true, running: true, probe: { ok: true, bot: { username: 'fake_oc_bot' } } });
  });

  it('channels list (local config names the channel) prints the Telegram account after asking our gateway', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const home = makeOfficialHome({ channels: { telegram: { botToken: BOT_TOKEN } } });
    try {
      const { stdout } = await ok(['channels', 'list'], { OFFICIAL_HOME: home.dir });
      expect(stdout).toMatch(/Telegram default: .*configured.*enabled/);
    } finally {
      home.cleanup();
    }
  });

  it('message send --channel telegram --target 123 --message hi --json goes out as message.action and reaches the Bot API', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const before = telegram.sentTo(123).length;
    const out = json(await ok(['message', 'send', '--channel', 'telegram', '--target', '123', '--message', 'hi', '--json']));
    expect(out).toMatchObject({ action: 'send', channel: 'telegram', handledBy: 'plugin' });
    const sent = telegram.sentTo(123);
    expect(sent.length).toBe(before + 1);
    expect(sent.at(-1)?.text).toBe('hi');
    expect(String(out.messageId ?? out.payload?.messageId)).toBe(String(sent.at(-1)?.messageId));
  });

  it('channels logout --channel telegram clears the bot token from the config', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const home = makeOfficialHome({ channels: { telegram: { enabled: true } } });
    try {
      await ok(['channels', 'logout', '--channel', 'telegram'], { OFFICIAL_HOME: home.dir });
    } finally {
      home.cleanup();
    }
    const config = JSON.parse(readFileSync(join(stateDir, 'openclaw.json'), 'utf8')) as { channels: { telegram: Record<string, unknown> } };
    expect(config.channels.telegram.botToken).toBeUndefined();
  });
});
