import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRuns } from '../../../../actors/agents/module.js';
import { channelsModule } from '../../../../actors/channels/module.js';
import { replaceWhatsAppSocketFactory } from '../../../../actors/channels/whatsapp/definition.js';
import { startGateway, type RunningGateway } from '../../../../actors/gateway/system.js';
import { createLogger } from '../../../../actors/logs/logger.js';
import type { GatewayFileConfig } from '../../../../protocol/config.js';
import { Journal } from '../../../../store/journal.js';
import { connectClient, type RawClient } from '../../../helpers/raw-client.js';
import { closedWith, dm, seedLinkedCreds, silentWhatsApp, type InterceptedCall, type SilentWhatsApp } from '../../../helpers/whatsapp-socket.js';

/*
 * The WhatsApp channel inside a real gateway (journal, agent runs on the offline provider,
 * channel module), with Baileys at its narrowest seam: real sockets whose network calls are
 * intercepted, driven through their own event emitters (CHANNELS.md §8.2).
 */

const TOKEN = 'wa-int-token-0123456789';
const ALICE = '+15551234567';
const MALLORY = '+15559990000';
const BOB = '+15557654321';
const DEVICES = { default: '15550001111:7@s.whatsapp.net', pair: '15550002222:3@s.whatsapp.net' } as const;
const jidOf = (e164: string) => `${e164.slice(1)}@s.whatsapp.net`;

describe('WhatsApp through the gateway', () => {
  let dir: string;
  let gateway: RunningGateway;
  let wa: SilentWhatsApp;
  let client: RawClient;

  const config: GatewayFileConfig = {
    gateway: { mode: 'local' },
    session: { dmScope: 'per-channel-peer' },
    channels: {
      whatsapp: {
        accounts: {
          default: { dmPolicy: 'allowlist', allowFrom: [ALICE] },
          pair: { dmPolicy: 'pairing' },
          spare: { dmPolicy: 'open', allowFrom: ['*'] },
        },
      },
    },
  };
  const sent = (from: string, to: string) => (c: InterceptedCall) => c.kind === 'sendMessage' && c.from === from && c.jid === jidOf(to);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-wa-gw-'));
    wa = await silentWhatsApp();
    replaceWhatsAppSocketFactory(wa.factory);
    await seedLinkedCreds(join(dir, 'credentials', 'whatsapp', 'default'), { id: DEVICES.default, name: 'Main' });
    await seedLinkedCreds(join(dir, 'credentials', 'whatsapp', 'pair'), { id: DEVICES.pair, name: 'Pairing' });
    writeFileSync(join(dir, 'openclaw.json'), JSON.stringify(config));
    const runs = agentRuns({ providers: [], defaultTimeoutMs: 30_000, dmScope: 'per-channel-peer' });
    gateway = await startGateway({
      port: 0,
      hosts: ['127.0.0.1'],
      auth: { mode: 'token', secret: TOKEN },
      journalPath: join(dir, 'journal.sqlite'),
      transport: 'ws',
      tickIntervalMs: 30_000,
      handshakeTimeoutMs: 15_000,
      healthRefreshMs: 60_000,
      agents: [{ id: 'main', workspace: dir, isDefault: true }],
      logger: createLogger({ level: 'error', write: () => undefined }),
      modules: [
        runs.module,
        channelsModule({
          config,
          runs: () => runs.runs,
          stateDir: dir,
          configPath: join(dir, 'openclaw.json'),
          env: {},
        }),
      ],
    });
    ({ client } = await connectClient(`ws://127.0.0.1:${gateway.port}`, { scopes: ['operator.read', 'operator.write', 'operator.admin', 'operator.pairing'] }, TOKEN));
    (await wa.socketWhere((s) => s.me === DEVICES.default)).online();
    (await wa.socketWhere((s) => s.me === DEVICES.pair)).online();
  });

  afterAll(async () => {
    client?.close();
    await gateway?.stop({ reason: 'test done' });
    await wa?.close();
    replaceWhatsAppSocketFactory(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers an allowlisted DM with an agent turn: composing, the reply through sendMessage, read receipt after the journal', async () => {
    const sock = await wa.socketWhere((s) => s.me === DEVICES.default);
    sock.emit('messages.upsert', dm(ALICE, 'hello gateway', 'ALICE-1'));
    const reply = await wa.call(sent(DEVICES.default, ALICE));
    expect(reply.content).toEqual({ text: expect.stringContaining('received: "hello gateway"') });
    expect(wa.calls.find((c) => c.kind === 'sendPresenceUpdate' && c.from === DEVICES.default)).toMatchObject({ presence: 'composing', jid: jidOf(ALICE) });
    expect(wa.calls.find((c) => c.kind === 'readMessages' && c.from === DEVICES.default)?.keys).toEqual([{ remoteJid: jidOf(ALICE), id: 'ALICE-1', fromMe: false }]);

    const journal = Journal.open(join(dir, 'journal.sqlite'), { readonly: true });
    try {
      await expect.poll(() => journal.readStream('channel:whatsapp:default', 0).map((e) => e.type)).toContain('channel.inbound.answered');
      const facts = journal.readStream('channel:whatsapp:default', 0);
      const received = facts.find((e) => e.type === 'channel.inbound.received');
      expect(received?.data).toMatchObject({ id: `${jidOf(ALICE)}/ALICE-1`, chatId: jidOf(ALICE), chatType: 'direct', senderId: ALICE, senderName: 'Alice', text: 'hello gateway', messageId: 'ALICE-1' });
      const delivery = facts.find((e) => e.type === 'channel.delivery.sent');
      expect(delivery?.data).toMatchObject({ chatId: jidOf(ALICE), messageIds: [expect.stringMatching(/^3EB0FAKE/)] });
      const started = facts.find((e) => e.type === 'channel.turn.started');
      expect(started?.data).toMatchObject({ sessionKey: `agent:main:whatsapp:direct:${ALICE}` });
    } finally {
      journal.close();
    }
  });

  it('ignores a DM from a number not on the allowlist', async () => {
    const sock = await wa.socketWhere((s) => s.me === DEVICES.default);
    sock.emit('messages.upsert', dm(MALLORY, 'let me in', 'MAL-1'));
    await wa.call((c) => c.kind === 'readMessages' && c.keys?.[0]?.id === 'MAL-1'); // journaled (and acknowledged)
    const journal = Journal.open(join(dir, 'journal.sqlite'), { readonly: true });
    try {
      await expect.poll(() => journal.readStream('channel:whatsapp:default', 0).some((e) => e.type === 'channel.inbound.ignored' && (e.data as { id: string }).id === `${jidOf(MALLORY)}/MAL-1`)).toBe(true);
    } finally {
      journal.close();
    }
    expect(wa.calls.filter(sent(DEVICES.default, MALLORY))).toEqual([]);
  });

  it('pairs an unknown sender: a code by WhatsApp, a request in channels.pairing.list, and turns after approval', async () => {
    const sock = await wa.socketWhere((s) => s.me === DEVICES.pair);
    sock.emit('messages.upsert', dm(BOB, 'hi there', 'BOB-1'));
    const code = await wa.call(sent(DEVICES.pair, BOB));
    const text = (code.content as { text: string }).text;
    expect(text).toContain(`Your WhatsApp phone number: ${BOB}`);
    expect(text).toMatch(/Pairing code:\n\n[A-HJ-NP-Z2-9]{8}\n/);
    expect(text).not.toMatch(/<\/?(pre|code)>/);

    const list = await client.call('channels.pairing.list', { channel: 'whatsapp' });
    expect(list).toMatchObject({ ok: true });
    const requests = (list.payload as { requests: Array<Record<string, unknown>> }).requests;
    expect(requests).toEqual([expect.objectContaining({ channel: 'whatsapp', channelLabel: 'WhatsApp', accountId: 'pair', senderId: BOB, senderLabel: 'whatsappSenderId', notifySupported: false })]);
    const approved = await client.call('channels.pairing.approve', { channel: 'whatsapp', accountId: 'pair', requestId: requests[0]!.requestId });
    expect(approved).toMatchObject({ ok: true, payload: { senderId: BOB } });

    sock.emit('messages.upsert', dm(BOB, 'now?', 'BOB-2'));
    await expect.poll(() => wa.calls.filter(sent(DEVICES.pair, BOB)).length, { timeout: 10_000 }).toBe(2);
    expect(wa.calls.filter(sent(DEVICES.pair, BOB))[1]?.content).toEqual({ text: expect.stringContaining('received: "now?"') });
  });

  it('refuses a send on an unlinked account with NOT_LINKED and the message that says how to link', async () => {
    const res = await client.call('send', { channel: 'whatsapp', accountId: 'spare', to: ALICE, message: 'hi', idempotencyKey: 'wa-unlinked-1' });
    expect(res).toMatchObject({
      ok: false,
      error: {
        code: 'NOT_LINKED',
        message: 'OutboundDeliveryError: No active WhatsApp Web listener (account: spare). Start the gateway, then link WhatsApp with: openclaw channels login --channel whatsapp --account spare.',
      },
    });
  });

  it('sends through a linked account with the WhatsApp message id and toJid, chunked', async () => {
    const long = `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}`;
    const res = await client.call('send', { channel: 'whatsapp', to: `whatsapp:${ALICE}`, message: long, idempotencyKey: 'wa-send-1' });
    expect(res).toMatchObject({ ok: true, payload: { runId: 'wa-send-1', channel: 'whatsapp', messageId: expect.stringMatching(/^3EB0FAKE/), toJid: jidOf(ALICE) } });
    const texts = wa.calls.filter(sent(DEVICES.default, ALICE)).map((c) => (c.content as { text?: string }).text ?? '');
    expect(texts.slice(-2).map((t) => t.length)).toEqual([3000, 3000]);
    const again = await client.call('send', { channel: 'whatsapp', to: `whatsapp:${ALICE}`, message: long, idempotencyKey: 'wa-send-1' });
    expect(again.payload).toEqual(res.payload);
  });

  it('reports linked and unlinked accounts in channels.status', async () => {
    const res = await client.call('channels.status', { channel: 'whatsapp' });
    expect(res.ok).toBe(true);
    const payload = res.payload as { channelAccounts: { whatsapp: Array<Record<string, unknown>> }; statusIssues: Array<Record<string, unknown>> };
    const byId = Object.fromEntries(payload.channelAccounts.whatsapp.map((a) => [a.accountId, a]));
    expect(byId.default).toMatchObject({ linked: true, connected: true, running: true, self: { e164: '+15550001111', jid: DEVICES.default }, lastConnectedAt: expect.any(Number), healthState: 'connected' });
    expect(byId.default?.authAgeMs).toEqual(expect.any(Number));
    expect(byId.spare).toMatchObject({ linked: false, running: false, connected: false, stateReason: 'not linked' });
    expect(payload.statusIssues).toContainEqual(expect.objectContaining({ channel: 'whatsapp', accountId: 'spare', kind: 'auth' }));
  });

  it('links an account over web.login.start/wait and starts it, with its auth files owner-only', async () => {
    const start = client.call('web.login.start', { channel: 'whatsapp', accountId: 'spare', timeoutMs: 10_000 }, 15_000);
    const loginSocket = await wa.socketWhere((s) => s.me === undefined);
    loginSocket.emit('connection.update', { qr: '2@spare-ref,noise,identity,adv' });
    const started = await start;
    expect(started).toMatchObject({ ok: true, payload: { message: 'Scan this QR in WhatsApp → Linked Devices.', qrDataUrl: expect.stringMatching(/^data:image\/png;base64,/) } });
    const wait = client.call('web.login.wait', { channel: 'whatsapp', accountId: 'spare', timeoutMs: 10_000 }, 15_000);
    loginSocket.emit('creds.update', { me: { id: '15550003333:2@s.whatsapp.net', name: 'Spare' } });
    loginSocket.emit('connection.update', closedWith(515, 'Stream Errored (restart required)'));
    (await wa.socketWhere((s) => s.me === '15550003333:2@s.whatsapp.net')).emit('connection.update', { connection: 'open', isNewLogin: true });
    expect(await wait).toMatchObject({ ok: true, payload: { connected: true, message: '✅ Linked! WhatsApp is ready.' } });
    const authDir = join(dir, 'credentials', 'whatsapp', 'spare');
    expect(statSync(authDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(authDir, 'creds.json')).mode & 0o777).toBe(0o600);
    // The channel takes the account over with its own socket.
    await expect.poll(() => wa.sockets.filter((s) => s.me === '15550003333:2@s.whatsapp.net').length).toBe(2);
  });
});
