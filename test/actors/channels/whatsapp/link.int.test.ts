import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, SimulatedClock } from 'xstate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelLinkMachine, WHATSAPP_LINK_POLICY, type LinkRecord } from '../../../../machines/channel-link.js';
import { createWhatsAppAdapter } from '../../../../actors/channels/whatsapp/adapter.js';
import { whatsappChannel } from '../../../../actors/channels/whatsapp/definition.js';
import type { AdapterHost, ChannelAccountAdapter, InboundMessage } from '../../../../actors/channels/contract.js';
import { createLogger } from '../../../../actors/logs/logger.js';
import { closedWith, dm, seedLinkedCreds, silentWhatsApp, type SilentWhatsApp } from '../../../helpers/whatsapp-socket.js';

const logger = createLogger({ level: 'error', write: () => undefined });

/** The WhatsApp adapter under the real channel-link machine, on a simulated clock. */
function linked(stateDir: string, wa: SilentWhatsApp) {
  const [account] = whatsappChannel.accounts({ channels: { whatsapp: { dmPolicy: 'open', allowFrom: ['*'] } } }, { stateDir, configPath: join(stateDir, 'openclaw.json'), logger, env: {} });
  const records: LinkRecord[] = [];
  const inbound: InboundMessage[] = [];
  const clock = new SimulatedClock();
  let adapter: ChannelAccountAdapter | undefined;
  const actor = createActor(
    channelLinkMachine.provide({
      actions: {
        openLink: () => adapter?.open(),
        closeLink: () => void adapter?.close(),
        recordLink: (_, params) => records.push(params),
      },
    }),
    { clock, input: { channel: 'whatsapp', accountId: 'default', policy: WHATSAPP_LINK_POLICY } },
  );
  const host: AdapterHost = {
    account: account!,
    logger,
    stateDir,
    connected: () => actor.send({ type: 'link.connected' }),
    healthy: () => actor.send({ type: 'link.healthy' }),
    failed: (failure) => actor.send({ type: 'link.failed', ...failure, random: 0.5 }),
    inbound: async (message) => {
      inbound.push(message);
    },
    lastInboundId: () => null,
    activity: () => undefined,
  };
  adapter = createWhatsAppAdapter(host, wa.factory);
  actor.start();
  return { actor, clock, records, inbound, adapter, authDir: String(account!.settings.authDir) };
}

describe('WhatsApp link lifecycle under the channel-link machine', () => {
  let state: string;
  let wa: SilentWhatsApp;
  beforeEach(async () => {
    state = mkdtempSync(join(tmpdir(), 'openclaw-wa-link-'));
    wa = await silentWhatsApp();
  });
  afterEach(async () => {
    await wa.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('reconnects after 2 s × 1.8 (+25 % jitter) and blocks when logged out (401), clearing the dead creds', async () => {
    const link = linked(state, wa);
    await seedLinkedCreds(link.authDir);
    link.actor.send({ type: 'link.start' });
    const first = await wa.socket(1);
    first.online();
    expect(link.actor.getSnapshot().value).toBe('connected');
    expect(link.adapter.snapshot()).toMatchObject({ linked: true, healthState: 'connected', lastConnectedAt: expect.any(Number), self: { e164: '+15550001111' } });

    first.emit('connection.update', closedWith(428, 'Connection Terminated'));
    expect(link.actor.getSnapshot().value).toBe('reconnecting');
    expect(link.records.at(-1)).toEqual({ state: 'reconnecting', attempts: 1, error: 'Connection Terminated (status 428)', code: '428', retryInMs: 2250 });
    link.clock.increment(2249);
    expect(wa.sockets).toHaveLength(1);
    link.clock.increment(1);
    const second = await wa.socket(2);
    second.emit('connection.update', closedWith(503, 'Service Unavailable'));
    expect(link.records.at(-1)).toMatchObject({ state: 'reconnecting', attempts: 2, retryInMs: 4050 }); // 3600 + 12.5 %
    link.clock.increment(4050);
    const third = await wa.socket(3);
    third.emit('connection.update', closedWith(401, 'Connection Failure'));
    expect(link.actor.getSnapshot().value).toBe('blocked');
    expect(link.records.at(-1)).toMatchObject({ state: 'blocked', code: '401' });
    expect(link.adapter.snapshot()).toMatchObject({ healthState: 'logged-out', lastDisconnect: { status: 401 } });
    await expect.poll(() => existsSync(join(link.authDir, 'creds.json'))).toBe(false);
    expect(link.adapter.snapshot()).toMatchObject({ linked: false, statusState: 'not-linked', stateReason: 'not linked' });
    link.clock.increment(600_000);
    expect(wa.sockets).toHaveLength(3);
  });

  it('blocks on 440 (replaced) and keeps the creds; caps the delay at 30 s and stops after 12 attempts', async () => {
    const link = linked(state, wa);
    await seedLinkedCreds(link.authDir);
    link.actor.send({ type: 'link.start' });
    let n = 1;
    const delays: number[] = [];
    for (; n <= 12; n += 1) {
      (await wa.socket(n)).emit('connection.update', closedWith(428));
      const last = link.records.at(-1)!;
      expect(last.state).toBe('reconnecting');
      delays.push(last.retryInMs!);
      link.clock.increment(last.retryInMs!);
    }
    expect(delays).toEqual([2250, 4050, 7290, 13122, 23620, 33750, 33750, 33750, 33750, 33750, 33750, 33750]);
    (await wa.socket(13)).emit('connection.update', closedWith(428));
    expect(link.actor.getSnapshot().value).toBe('blocked');
    expect(link.records.at(-1)).toMatchObject({ state: 'blocked', attempts: 13 });

    link.actor.send({ type: 'link.start' });
    const again = await wa.socket(14);
    again.emit('connection.update', closedWith(440, 'Stream Errored (conflict)'));
    expect(link.actor.getSnapshot().value).toBe('blocked');
    expect(link.records.at(-1)).toMatchObject({ state: 'blocked', code: '440' });
    expect(link.adapter.snapshot()).toMatchObject({ healthState: 'conflict', linked: true });
  });

  it('journals before it acknowledges, and refuses sends with NOT_LINKED while the socket is not open', async () => {
    const link = linked(state, wa);
    await seedLinkedCreds(link.authDir);
    await expect(link.adapter.sendText({ target: { chatId: '15551234567@s.whatsapp.net' }, text: 'hi' })).rejects.toMatchObject({
      kind: 'not-linked',
      message: 'OutboundDeliveryError: No active WhatsApp Web listener (account: default). Start the gateway, then link WhatsApp with: openclaw channels login --channel whatsapp --account default.',
    });
    link.actor.send({ type: 'link.start' });
    const sock = await wa.socket(1);
    sock.online();
    sock.emit('messages.upsert', dm('+15551234567', 'hello', 'M1'));
    await wa.call((c) => c.kind === 'readMessages');
    expect(link.inbound).toEqual([{ id: '15551234567@s.whatsapp.net/M1', chatId: '15551234567@s.whatsapp.net', chatType: 'direct', senderId: '+15551234567', senderName: 'Alice', text: 'hello', messageId: 'M1', mentioned: false, sentAt: expect.any(Number) }]);
    const sent = await link.adapter.sendText({ target: { chatId: '15551234567@s.whatsapp.net' }, text: '<b>x</b> &amp; y' });
    expect(sent).toEqual({ messageId: expect.stringMatching(/^3EB0FAKE/), chatId: '15551234567@s.whatsapp.net', extra: { toJid: '15551234567@s.whatsapp.net' } });
    await link.adapter.sendTyping!({ chatId: '15551234567@s.whatsapp.net' });
    expect(wa.calls.find((c) => c.kind === 'sendPresenceUpdate')).toMatchObject({ kind: 'sendPresenceUpdate', presence: 'composing', jid: '15551234567@s.whatsapp.net' });
    link.actor.send({ type: 'link.stop' });
    await link.adapter.close();
  });
});
