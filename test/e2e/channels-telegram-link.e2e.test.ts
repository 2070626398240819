import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type RawClient } from '../helpers/raw-client.js';

/**
 * The Telegram link's failure paths end to end: a real gateway long-polls a fake Bot API that is
 * switched, mid-poll, to 409 (another poller), 401 (token revoked) and unreachable (sockets
 * destroyed). The channel-link actor goes reconnecting with the 409 backoff (30 s doubling, up to
 * +20 %), blocked on 401, and recovers from a network outage by itself; `channels.status` shows
 * each state. The tests wait for the gateway's own log lines and the fake's calls, never sleep.
 */

const TOKEN = '123456:LINK-token-abc';
let telegram: FakeTelegram;
const gateways: GatewayProcess[] = [];
const dirs: string[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  telegram = await startFakeTelegram();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of gateways.splice(0)) await g.stop('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  telegram.mode = 'ok';
});

afterAll(async () => {
  await telegram?.close();
});

async function connectedGateway(): Promise<{ gateway: GatewayProcess; c: RawClient }> {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-tg-link-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local' }, channels: { telegram: { botToken: TOKEN, apiRoot: telegram.apiRoot, dmPolicy: 'open', allowFrom: ['*'] } } }));
  const gateway = await startGatewayProcess({ stateDir: dir });
  gateways.push(gateway);
  await gateway.waitForOutput(/\[telegram\] \[default\] link connected/);
  const { client: c } = await connectClient(gateway.url, { scopes: ['operator.admin'] }, gateway.token);
  clients.push(c);
  return { gateway, c };
}

type Account = Record<string, unknown> & { lifecycle?: string; lastError?: string | null };

async function status(c: RawClient): Promise<{ account: Account; issues: Array<Record<string, unknown>> }> {
  const payload = (await c.call('channels.status', {})).payload as { channelAccounts: { telegram: Account[] }; statusIssues?: Array<Record<string, unknown>> };
  return { account: payload.channelAccounts.telegram[0] as Account, issues: payload.statusIssues ?? [] };
}

/** The next "link failed … retrying in N ms (attempt K)" line after `from`. */
async function nextRetry(gateway: GatewayProcess, from: number): Promise<{ delayMs: number; attempt: number }> {
  const match = await gateway.waitForOutput(/\[telegram\] \[default\] link failed: .*; retrying in (\d+) ms \(attempt (\d+)\)/, 15_000, from);
  return { delayMs: Number(match[1]), attempt: Number(match[2]) };
}

const pollsWithToken = () => telegram.calls.filter((call) => call.method === 'getUpdates' && call.token === TOKEN).length;

describe('Telegram link failures', () => {
  it('409 conflict: reconnecting with the 30 s doubling backoff, status shows the conflict; channels.start retries at once and recovers', { timeout: 45_000 }, async () => {
    const { gateway, c } = await connectedGateway();
    let mark = gateway.output().length;
    telegram.mode = 'conflict';
    const first = await nextRetry(gateway, mark);
    expect(first.attempt).toBe(1);
    expect(first.delayMs).toBeGreaterThanOrEqual(30_000);
    expect(first.delayMs).toBeLessThanOrEqual(36_000);
    const { account, issues } = await status(c);
    expect(account).toMatchObject({ lifecycle: 'recovering', running: true, connected: false, healthState: 'disconnected', reconnectAttempts: 1 });
    expect(account.lastError).toMatch(/^Telegram getUpdates conflict: Conflict: terminated by other getUpdates request; make sure that only one bot instance is running/);
    expect(issues).toEqual([
      expect.objectContaining({ channel: 'telegram', accountId: 'default', kind: 'runtime', message: 'Channel reports running, but the runtime is disconnected.' }),
      expect.objectContaining({ channel: 'telegram', accountId: 'default', kind: 'runtime', message: expect.stringContaining('Telegram getUpdates conflict') }),
    ]);

    // An operator restart skips the wait; the second conflict in a row doubles the delay.
    mark = gateway.output().length;
    expect((await c.call('channels.start', { channel: 'telegram' })).payload).toMatchObject({ started: true, outcome: { status: 'handed-off' } });
    const second = await nextRetry(gateway, mark);
    expect(second.attempt).toBe(2);
    expect(second.delayMs).toBeGreaterThanOrEqual(60_000);
    expect(second.delayMs).toBeLessThanOrEqual(72_000);
    expect((await status(c)).account).toMatchObject({ lifecycle: 'recovering', reconnectAttempts: 2 });

    // The other poller is gone: a restart connects, the attempts reset and DMs flow again.
    telegram.mode = 'ok';
    mark = gateway.output().length;
    await c.call('channels.start', { channel: 'telegram' });
    await gateway.waitForOutput(/\[telegram\] \[default\] link connected/, 15_000, mark);
    const after = await status(c);
    expect(after.account).toMatchObject({ lifecycle: 'ready', connected: true, reconnectAttempts: 0, lastError: null });
    expect(after.issues).toEqual([]);
    const sentBefore = telegram.sentTo(5151).length;
    telegram.dm(5151, 'back again');
    await telegram.waitFor(() => telegram.sentTo(5151).length > sentBefore, 15_000, 'reply after the conflict');
  });

  it('401 while polling: blocked at once (no retry), a terminal issue in status; channels.start after a fix connects again', { timeout: 45_000 }, async () => {
    const { gateway, c } = await connectedGateway();
    const mark = gateway.output().length;
    telegram.mode = 'unauthorized';
    await gateway.waitForOutput(/\[telegram\] \[default\] link blocked: Telegram bot token unauthorized for account "default"/, 15_000, mark);
    const polls = pollsWithToken();
    const { account, issues } = await status(c);
    expect(account).toMatchObject({ lifecycle: 'blocked', running: false, connected: false, terminalDisconnect: true, healthState: 'terminal-disconnect' });
    expect(account.lastError).toMatch(/^Telegram bot token unauthorized for account "default" \(getUpdates returned 401 from Telegram; source: config token\)/);
    expect(issues).toEqual([expect.objectContaining({ channel: 'telegram', accountId: 'default', kind: 'runtime', message: account.lastError, fix: 'resolve the reported channel error, then restart the channel' })]);
    expect(gateway.output().slice(mark)).not.toMatch(/retrying in/);
    expect(pollsWithToken()).toBe(polls);

    telegram.mode = 'ok';
    const restart = gateway.output().length;
    await c.call('channels.start', { channel: 'telegram' });
    await gateway.waitForOutput(/\[telegram\] \[default\] link connected/, 15_000, restart);
    expect((await status(c)).account).toMatchObject({ lifecycle: 'ready', connected: true, lastError: null });
  });

  it('unreachable Bot API: reconnecting with the short network backoff while it is down, back to ready by itself once it answers', { timeout: 45_000 }, async () => {
    const { gateway, c } = await connectedGateway();
    const mark = gateway.output().length;
    telegram.mode = 'unreachable';
    const first = await nextRetry(gateway, mark);
    expect(first).toEqual({ delayMs: 1000, attempt: 1 });
    const second = await nextRetry(gateway, gateway.output().indexOf('(attempt 1)', mark) + 1);
    expect(second).toEqual({ delayMs: 2000, attempt: 2 });
    const { account, issues } = await status(c);
    expect(account).toMatchObject({ running: true, connected: false, lifecycle: 'recovering' });
    expect(account.lastError).toMatch(/^fetch failed \| /);
    expect(account.lastError).not.toContain(TOKEN);
    expect(gateway.output()).not.toContain(TOKEN);
    expect(issues.map((issue) => issue.message)).toContain('Channel reports running, but the runtime is disconnected.');

    const down = gateway.output().length;
    telegram.mode = 'ok';
    await gateway.waitForOutput(/\[telegram\] \[default\] link connected/, 15_000, down);
    const after = await status(c);
    expect(after.account).toMatchObject({ lifecycle: 'ready', connected: true, running: true, reconnectAttempts: 0, lastError: null });
    expect(after.issues).toEqual([]);
    telegram.dm(6161, 'are you there?');
    await telegram.waitFor(() => telegram.sentTo(6161).length > 0, 15_000, 'reply after the outage');
  });
});

describe('Telegram bot token as a SecretRef', () => {
  it('a botToken {source:"file"} ref is resolved at start: the account polls with the file\'s token and answers', { timeout: 45_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-tg-ref-'));
    dirs.push(dir);
    const secretFile = join(dir, 'telegram-token');
    writeFileSync(secretFile, '424242:FROM-SECRET-FILE\n', { mode: 0o600 });
    chmodSync(secretFile, 0o600);
    writeFileSync(join(dir, 'openclaw.json'), JSON.stringify({
      gateway: { mode: 'local' },
      channels: { telegram: { botToken: { source: 'file', provider: 'tgtoken', id: 'value' }, apiRoot: telegram.apiRoot, dmPolicy: 'open', allowFrom: ['*'] } },
      secrets: { providers: { tgtoken: { source: 'file', path: secretFile, mode: 'singleValue' } } },
    }));
    const gateway = await startGatewayProcess({ stateDir: dir });
    gateways.push(gateway);
    await gateway.waitForOutput(/\[telegram\] \[default\] link connected/);
    expect(telegram.calls.some((call) => call.token === '424242:FROM-SECRET-FILE' && call.method === 'getUpdates')).toBe(true);
    expect(telegram.calls.some((call) => call.token.includes('source'))).toBe(false);
    const { client: c } = await connectClient(gateway.url, { scopes: ['operator.admin'] }, gateway.token);
    clients.push(c);
    expect((await status(c)).account).toMatchObject({ lifecycle: 'ready', configured: true, tokenSource: 'config', tokenStatus: 'available' });
    telegram.dm(7171, 'token from a file');
    await telegram.waitFor(() => telegram.sentTo(7171).length > 0, 15_000, 'reply with the ref token');
    expect(telegram.callsOf('sendMessage').filter((call) => String(call.body.chat_id) === '7171').every((call) => call.token === '424242:FROM-SECRET-FILE')).toBe(true);
    expect(gateway.output()).not.toContain('FROM-SECRET-FILE');
  });
});
