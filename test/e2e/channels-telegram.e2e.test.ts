import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../store/journal.js';
import { startFakeOpenAi, type FakeProvider } from '../helpers/fake-providers.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type RawClient } from '../helpers/raw-client.js';
import { runCli } from '../helpers/cli-process.js';

/**
 * Telegram end to end: a real gateway process whose Telegram account long-polls a fake Bot API
 * on 127.0.0.1 through grammY (`channels.telegram.apiRoot`), answering with the offline provider
 * or a fake OpenAI-compatible server; real sockets, the real journal file.
 */

const TOKEN = '123456:FAKE-token-abc';
let telegram: FakeTelegram;
let openai: FakeProvider;
const gateways: GatewayProcess[] = [];
const dirs: string[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  telegram = await startFakeTelegram({ badTokens: ['BAD:abc'] });
  openai = await startFakeOpenAi();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of gateways.splice(0)) await g.stop('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  telegram.mode = 'ok';
});

afterAll(async () => {
  await telegram?.close();
  await openai?.close();
});

function stateDirWith(telegramSection: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-tg-e2e-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local' }, channels: { telegram: { botToken: TOKEN, apiRoot: telegram.apiRoot, ...telegramSection } }, ...extra }));
  return dir;
}

async function start(dir: string): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ stateDir: dir });
  gateways.push(gateway);
  return gateway;
}

async function client(gateway: GatewayProcess): Promise<RawClient> {
  const { client: c } = await connectClient(gateway.url, { scopes: ['operator.admin'] }, gateway.token);
  clients.push(c);
  return c;
}

const callsAfter = (from: number) => telegram.calls.slice(from);
const sendsTo = (chat: number, from = 0) => callsAfter(from).filter((c) => c.method === 'sendMessage' && String(c.body.chat_id) === String(chat));

describe('Telegram channel', () => {
  it('answers an allowed DM through the offline provider: typing first, then one HTML sendMessage to that chat', async () => {
    const dir = stateDirWith({ dmPolicy: 'open', allowFrom: ['*'] });
    const mark = telegram.calls.length;
    const gateway = await start(dir);
    await telegram.waitFor((calls) => calls.slice(mark).some((c) => c.method === 'getUpdates' && c.body.timeout === 30), 15_000, 'long poll');
    telegram.dm(4242, 'what is 2+2?', { username: 'alice' });
    await telegram.waitFor(() => sendsTo(4242, mark).length === 1, 15_000, 'reply to 4242');
    const reply = sendsTo(4242, mark)[0]!;
    expect(reply.body).toMatchObject({ chat_id: '4242', parse_mode: 'HTML' });
    expect(String(reply.body.text)).toContain('what is 2+2?');
    const typing = callsAfter(mark).findIndex((c) => c.method === 'sendChatAction' && c.body.action === 'typing');
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(callsAfter(mark).indexOf(reply));
    const c = await client(gateway);
    const status = (await c.call('channels.status', { probe: true })).payload as Record<string, any>;
    expect(status.channelOrder).toEqual(['telegram']);
    expect(status.channelAccounts.telegram[0]).toMatchObject({ accountId: 'default', configured: true, running: true, connected: true, lifecycle: 'ready', mode: 'polling', tokenSource: 'config' });
    expect(status.channelAccounts.telegram[0].probe).toMatchObject({ ok: true, bot: { username: 'fake_oc_bot' } });
    expect(telegram.calls.some((call) => call.method === 'getMe' && call.httpMethod === 'GET')).toBe(true);
    const health = (await c.call('health', {})).payload as Record<string, any>;
    expect(health.channelOrder).toEqual(['telegram']);
    expect(health.channelLabels).toEqual({ telegram: 'Telegram' });
    expect(health.channels.telegram).toMatchObject({ accountId: 'default', connected: true, accounts: { default: { lifecycle: 'ready' } } });
  });

  it('pairing: an unknown sender gets one code (nothing reaches the agent), approval lets the next DM through', async () => {
    const dir = stateDirWith({ dmPolicy: 'pairing' }, { session: { dmScope: 'per-channel-peer' } });
    const mark = telegram.calls.length;
    const gateway = await start(dir);
    telegram.dm(5151, 'hello?', { username: 'bob', first_name: 'Bob' });
    await telegram.waitFor(() => sendsTo(5151, mark).length === 1, 15_000, 'pairing reply');
    const pairing = sendsTo(5151, mark)[0]!;
    expect(String(pairing.body.chat_id)).toBe('5151');
    const code = /<pre><code>([A-Z2-9]{8})\n<\/code><\/pre>/.exec(String(pairing.body.text))?.[1];
    expect(code).toBeDefined();
    expect(String(pairing.body.text)).toContain(`openclaw pairing approve telegram ${code}`);
    const c = await client(gateway);
    telegram.dm(5151, 'still me');
    await c.seen(() => false, 300).catch(() => undefined); // let the second message be journaled
    const list = (await c.call('channels.pairing.list', {})).payload as Record<string, any>;
    expect(list.requests).toHaveLength(1);
    expect(list.requests[0]).toMatchObject({ channel: 'telegram', accountId: 'default', senderId: '5151', senderLabel: 'telegramUserId', metadata: { username: 'bob', firstName: 'Bob' } });
    expect(list.limits).toEqual({ pendingPerAccount: 3, ttlMs: 3_600_000 });
    expect(sendsTo(5151, mark)).toHaveLength(1);
    expect(openai.requests).toHaveLength(0);
    const approved = (await c.call('channels.pairing.approve', { channel: 'telegram', accountId: 'default', requestId: list.requests[0].requestId, notify: true })).payload;
    expect(approved).toEqual({ requestId: list.requests[0].requestId, senderId: '5151', notification: 'sent', commandOwnerBootstrap: 'not-requested' });
    expect(sendsTo(5151, mark)[1]?.body.text).toBe('✅ OpenClaw access approved. Send a message to start chatting.');
    telegram.dm(5151, 'now answer me');
    await telegram.waitFor(() => sendsTo(5151, mark).length === 3, 15_000, 'reply after approval');
    expect(String(sendsTo(5151, mark)[2]?.body.text)).toContain('now answer me');
    const history = (await c.call('chat.history', { sessionKey: 'agent:main:telegram:direct:5151' })).payload as Record<string, any>;
    expect(history.messages.length).toBeGreaterThanOrEqual(2);
    const again = await c.call('channels.pairing.approve', { channel: 'telegram', accountId: 'default', requestId: list.requests[0].requestId });
    expect(again.error).toEqual({ code: 'INVALID_REQUEST', message: 'pending DM access request no longer exists' });
  });

  it('group: an unmentioned message is ignored, a mention is answered in the group', async () => {
    const dir = stateDirWith({ groupPolicy: 'open', groups: { '-100777': { requireMention: true } } });
    const mark = telegram.calls.length;
    await start(dir);
    telegram.group(-100777, 31, 'chatting among ourselves');
    telegram.group(-100777, 31, 'what is 2+2?', { mention: true });
    await telegram.waitFor(() => sendsTo(-100777, mark).length === 1, 15_000, 'group reply');
    const replies = sendsTo(-100777, mark);
    expect(String(replies[0]?.body.text)).toContain('what is 2+2?');
    expect(String(replies[0]?.body.text)).not.toContain('chatting among ourselves');
  });

  it('send is idempotent by key; message.action send is what the CLI uses; errors are the official ones', async () => {
    const dir = stateDirWith({});
    const gateway = await start(dir);
    const c = await client(gateway);
    const first = await c.call('send', { to: '123', message: 'hi <there> & you', channel: 'telegram', idempotencyKey: 'k1' });
    expect(first.payload).toMatchObject({ runId: 'k1', channel: 'telegram', chatId: '123' });
    const again = await c.call('send', { to: 'telegram:123', message: 'hi <there> & you', idempotencyKey: 'k1' });
    expect(again.payload).toEqual(first.payload);
    expect(telegram.sent.filter((m) => m.text === 'hi &lt;there&gt; &amp; you')).toHaveLength(1);
    const long = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ${'x'.repeat(330)}`).join('\n\n');
    const chunked = await c.call('send', { to: '124', message: long, idempotencyKey: 'k2' });
    const parts = telegram.sentTo(124);
    expect(parts.length).toBe(3);
    expect(parts.every((p) => p.text.length <= 4000)).toBe(true);
    expect((chunked.payload as Record<string, unknown>).messageId).toBe(String(parts.at(-1)?.messageId));
    const action = await c.call('message.action', { channel: 'telegram', action: 'send', params: { to: 'telegram:125', message: 'hi', target: '125' }, idempotencyKey: 'k3' });
    expect(action.payload).toMatchObject({ ok: true, chatId: '125', receipt: {} });
    expect((await c.call('send', { to: '1', idempotencyKey: 'k4', channel: 'telegram' })).error).toEqual({ code: 'INVALID_REQUEST', message: 'invalid send params: text or media is required' });
    expect((await c.call('send', { to: '1', message: 'x', idempotencyKey: 'k5', channel: 'nope' })).error).toEqual({ code: 'INVALID_REQUEST', message: 'unsupported channel: nope' });
    expect((await c.call('send', { to: '1', message: 'x', idempotencyKey: 'k6', accountId: 'nope' })).error).toEqual({
      code: 'INVALID_REQUEST', message: 'MessageActionDeniedError: Unknown account "nope" for channel telegram.',
    });
    const unresolved = await c.call('send', { to: '@someuser', message: 'x', idempotencyKey: 'k7' });
    expect(unresolved.error).toMatchObject({ code: 'UNAVAILABLE', details: { code: 'OUTBOUND_DELIVERY_QUEUED' } });
    expect((unresolved.error as { message: string }).message).toMatch(/^OutboundDeliveryError: Telegram recipient @someuser could not be resolved to a numeric chat ID/);
  });

  it('a bad token blocks the account (no retries); channels.stop keeps it stopped, channels.start restarts it', async () => {
    const dir = stateDirWith({ accounts: { good: {}, bad: { botToken: 'BAD:abc' } } });
    const gateway = await start(dir);
    const c = await client(gateway);
    await telegram.waitFor((calls) => calls.some((call) => call.token === 'BAD:abc' && call.method === 'getMe'), 15_000, 'bad getMe');
    let status: Record<string, any> = {};
    for (let i = 0; i < 50; i += 1) {
      status = (await c.call('channels.status', {})).payload as Record<string, any>;
      if (status.channelAccounts.telegram.find((a: Record<string, unknown>) => a.accountId === 'bad')?.lifecycle === 'blocked') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bad = status.channelAccounts.telegram.find((a: Record<string, unknown>) => a.accountId === 'bad');
    expect(bad).toMatchObject({ lifecycle: 'blocked', running: false, terminalDisconnect: true });
    expect(bad.lastError).toMatch(/^Telegram bot token unauthorized for account "bad"/);
    expect(status.statusIssues).toContainEqual(expect.objectContaining({ channel: 'telegram', accountId: 'bad', kind: 'runtime' }));
    expect((await c.call('channels.stop', { channel: 'telegram', accountId: 'good' })).payload).toEqual({ channel: 'telegram', accountId: 'good', stopped: true });
    const stopped = ((await c.call('channels.status', {})).payload as Record<string, any>).channelAccounts.telegram.find((a: Record<string, unknown>) => a.accountId === 'good');
    expect(stopped).toMatchObject({ lifecycle: 'stopped', running: false });
    expect((await c.call('channels.start', { channel: 'telegram', accountId: 'good' })).payload).toEqual({ channel: 'telegram', accountId: 'good', started: true, outcome: { status: 'handed-off' } });
    expect((await c.call('channels.start', { channel: 'telegram', accountId: 'nope' })).payload).toMatchObject({ started: false, outcome: { status: 'skipped', reason: 'unconfigured' } });
  });

  it('kill -9 between receive and reply: the journaled message is answered once at the next start, an answered one never again', { timeout: 45_000 }, async () => {
    const dir = stateDirWith({ dmPolicy: 'open', allowFrom: ['*'] }, {
      models: { providers: { fake: { kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-x', model: 'fake-gpt', maxRetries: 0 } } },
      agents: { defaults: { model: 'fake/fake-gpt' } },
      session: { dmScope: 'per-channel-peer' },
    });
    const mark = telegram.calls.length;
    const first = await start(dir);
    telegram.dm(7001, 'quick one');
    await telegram.waitFor(() => sendsTo(7001, mark).length === 1, 15_000, 'first reply');
    const seenByModel = openai.requests.length;
    telegram.dm(7002, 'please slow');
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 15_000;
      const check = () => (openai.requests.length > seenByModel ? resolve() : Date.now() > deadline ? reject(new Error('model never asked')) : setTimeout(check, 10));
      check();
    });
    await first.stop('SIGKILL');
    expect(sendsTo(7002, mark)).toHaveLength(0);
    const second = await start(dir);
    await telegram.waitFor(() => sendsTo(7002, mark).length === 1, 20_000, 'reply after restart');
    expect(String(sendsTo(7002, mark)[0]?.body.text)).toBe('part0 part1 part2 part3 part4 part5 part6 part7');
    const c = await client(second);
    await c.call('health', {});
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sendsTo(7001, mark)).toHaveLength(1);
    expect(sendsTo(7002, mark)).toHaveLength(1);
    await second.stop('SIGTERM');
    gateways.splice(gateways.indexOf(second), 1);
    const journal = Journal.open(join(dir, 'journal.sqlite'), { readonly: true });
    try {
      const facts = journal.readStream('channel:telegram:default', 0, 10_000);
      const received = facts.filter((f) => f.type === 'channel.inbound.received').map((f) => (f.data as { id: string }).id);
      const answered = facts.filter((f) => f.type === 'channel.inbound.answered').map((f) => (f.data as { id: string }).id);
      expect(new Set(received).size).toBe(received.length);
      expect(answered.sort()).toEqual([...received].sort());
      expect(facts.filter((f) => f.type === 'channel.turn.started').length).toBe(3); // 7001 once, 7002 twice (the first run was cut off)
    } finally {
      journal.close();
    }
  });

  it('kill -9 under a stream of DMs: every journaled message is answered once after the restart, none twice', { timeout: 90_000 }, async () => {
    const dir = stateDirWith({ dmPolicy: 'open', allowFrom: ['*'] }, {
      models: { providers: { fake: { kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-x', model: 'fake-gpt', maxRetries: 0 } } },
      agents: { defaults: { model: 'fake/fake-gpt' } },
      session: { dmScope: 'per-channel-peer' },
    });
    // Before the kill: 4 quick DMs (answered at once), then 12 slow ones (the model streams ~1.2 s);
    // after the restart: 8 more. Each DM goes out once the gateway has taken the previous one (its
    // next getUpdates confirms the offset past it, which it does only after journaling it).
    const quick = [7101, 7102, 7103, 7104];
    const slow = Array.from({ length: 12 }, (_, i) => 7201 + i);
    const later = Array.from({ length: 8 }, (_, i) => 7301 + i);
    const senders = [...quick, ...slow, ...later];
    const textOf = (chat: number) => (slow.includes(chat) ? `please slow ${chat}` : `quick ${chat}`);
    const replyOf = (chat: number) => (slow.includes(chat) ? 'part0 part1 part2 part3 part4 part5 part6 part7' : `Hello from fake openai: quick ${chat}`);
    const mark = telegram.calls.length;
    const first = await start(dir);
    await telegram.waitFor((calls) => calls.slice(mark).some((c) => c.method === 'getUpdates' && c.body.timeout === 30), 15_000, 'long poll');
    for (const chat of [...quick, ...slow]) {
      const update = telegram.dm(chat, textOf(chat));
      await telegram.waitFor((calls) => calls.some((c) => c.method === 'getUpdates' && Number(c.body.offset ?? 0) > update), 15_000, `admission of ${chat}`);
    }
    const readFacts = () => {
      const journal = Journal.open(join(dir, 'journal.sqlite'), { readonly: true });
      try {
        return journal.readStream('channel:telegram:default', 0, 100_000);
      } finally {
        journal.close();
      }
    };
    const ids = (facts: ReturnType<typeof readFacts>, type: string) => facts.filter((f) => f.type === type).map((f) => (f.data as { id: string }).id);
    const deliveredIn = (facts: ReturnType<typeof readFacts>) => new Set(facts.filter((f) => f.type === 'channel.delivery.sent').map((f) => Number((f.data as { chatId: string }).chatId)));
    // The quick replies reached the Bot API and their deliveries are committed (the journal is read
    // as the gateway writes it) while the slow turns still stream: a kill now lands between sends.
    await telegram.waitFor(() => quick.every((chat) => sendsTo(chat, mark).length > 0), 15_000, 'the quick replies');
    for (const deadline = Date.now() + 15_000; !quick.every((chat) => deliveredIn(readFacts()).has(chat)); ) {
      if (Date.now() > deadline) throw new Error('quick deliveries never committed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Freeze the gateway, read what its journal committed, then kill it.
    process.kill(first.child.pid as number, 'SIGSTOP');
    const before = readFacts();
    await first.stop('SIGKILL');
    const restartMark = telegram.calls.length;
    const deliveredBefore = deliveredIn(before);
    expect(ids(before, 'channel.inbound.received')).toHaveLength(quick.length + slow.length);
    expect(quick.every((chat) => deliveredBefore.has(chat))).toBe(true);
    expect(ids(before, 'channel.inbound.received').length - ids(before, 'channel.inbound.answered').length).toBeGreaterThanOrEqual(5); // many in flight at the kill
    // A reply the Bot API took whose message id the journal had not committed is the one thing a
    // crash can send twice (README, Channels); the SIGSTOP snapshot tells exactly which those are.
    const inFlight = senders.filter((chat) => sendsTo(chat, mark).length > 0 && !deliveredBefore.has(chat));

    const second = await start(dir);
    for (const chat of later) telegram.dm(chat, textOf(chat));
    const done = (chat: number) => deliveredBefore.has(chat) || sendsTo(chat, restartMark).length > 0;
    await telegram.waitFor(() => senders.every(done), 40_000, 'every DM answered after the restart');
    await second.stop('SIGTERM');
    gateways.splice(gateways.indexOf(second), 1);

    const after = readFacts();
    const received = ids(after, 'channel.inbound.received');
    const answered = ids(after, 'channel.inbound.answered');
    expect(received).toHaveLength(senders.length);
    expect(new Set(received).size).toBe(received.length);
    expect([...answered].sort()).toEqual([...received].sort());
    for (const chat of senders) {
      const sends = sendsTo(chat, mark);
      expect({ chat, sends: sends.length }).toEqual({ chat, sends: inFlight.includes(chat) ? 2 : 1 });
      expect(sends.every((c) => String(c.body.text) === replyOf(chat))).toBe(true);
    }
    for (const chat of deliveredBefore) expect(sendsTo(chat, restartMark)).toHaveLength(0);
  });

  it('our CLI: channels status --probe, message send, pairing list and approve by code', { timeout: 45_000 }, async () => {
    const dir = stateDirWith({ dmPolicy: 'pairing' });
    const gateway = await start(dir);
    const target = ['--url', gateway.url, '--token', gateway.token];
    const status = await runCli(['channels', 'status', '--probe', ...target]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^- Telegram default: enabled, configured, running, .*mode:polling, bot:@fake_oc_bot, token:\*\*\*, dm:pairing, works$/m);
    const sent = await runCli(['message', 'send', '--channel', 'telegram', '--target', '777', '--message', 'from the cli', '--json', ...target]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ action: 'send', channel: 'telegram', handledBy: 'plugin' });
    expect(telegram.sentTo(777).at(-1)?.text).toBe('from the cli');
    const mark = telegram.calls.length;
    telegram.dm(6161, 'let me in', { username: 'carol' });
    await telegram.waitFor(() => sendsTo(6161, mark).length === 1, 15_000, 'pairing reply');
    const code = /<pre><code>([A-Z2-9]{8})\n/.exec(String(sendsTo(6161, mark)[0]?.body.text))?.[1] ?? '';
    const listed = await runCli(['pairing', 'list', 'telegram', '--json', ...target]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).requests).toEqual([expect.objectContaining({ id: '6161', code, meta: expect.objectContaining({ username: 'carol', accountId: 'default' }) })]);
    const approved = await runCli(['pairing', 'approve', 'telegram', code, ...target]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toBe('Approved telegram sender 6161.\n');
    telegram.dm(6161, 'hello again');
    await telegram.waitFor(() => sendsTo(6161, mark).length === 2, 15_000, 'reply after approval');
  });

  it('streaming partial: a preview message edited while the model streams, ending as the full reply', { timeout: 45_000 }, async () => {
    const dir = stateDirWith({ dmPolicy: 'open', allowFrom: ['*'], streaming: { mode: 'partial' } }, {
      models: { providers: { fake: { kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-x', model: 'fake-gpt', maxRetries: 0 } } },
      agents: { defaults: { model: 'fake/fake-gpt' } },
    });
    const mark = telegram.calls.length;
    await start(dir);
    telegram.dm(8080, 'please slow');
    const final = 'part0 part1 part2 part3 part4 part5 part6 part7';
    await telegram.waitFor(() => telegram.sentTo(8080).some((m) => m.text === final), 20_000, 'final preview text');
    const sends = sendsTo(8080, mark);
    expect(sends).toHaveLength(1);
    expect(String(sends[0]?.body.text).length).toBeLessThan(final.length);
    expect(callsAfter(mark).filter((c) => c.method === 'editMessageText' && String(c.body.chat_id) === '8080').length).toBeGreaterThanOrEqual(1);
  });
});
