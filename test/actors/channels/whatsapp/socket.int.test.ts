import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectWhatsApp, type WhatsAppConnectionEvent } from '../../../../actors/channels/whatsapp/connection.js';
import type { WhatsAppInbound } from '../../../../actors/channels/whatsapp/inbound.js';
import { WhatsAppLogin } from '../../../../actors/channels/whatsapp/login.js';
import { readAuthSummary } from '../../../../actors/channels/whatsapp/auth-store.js';
import { sendWhatsApp } from '../../../../actors/channels/whatsapp/outbound.js';
import { createLogger } from '../../../../actors/logs/logger.js';
import { closedWith, dm, seedLinkedCreds, silentWhatsApp, type SilentWhatsApp } from '../../../helpers/whatsapp-socket.js';

const logger = createLogger({ level: 'error', write: () => undefined });

describe('a real Baileys socket driven through its event emitter', () => {
  let dir: string;
  let wa: SilentWhatsApp;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-wa-socket-'));
    wa = await silentWhatsApp();
  });
  afterEach(async () => {
    await wa.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges an inbound message only after it is taken in, and reports open and close', async () => {
    const authDir = join(dir, 'auth');
    await seedLinkedCreds(authDir);
    const events: WhatsAppConnectionEvent[] = [];
    let release: () => void = () => undefined;
    const journaled = new Promise<void>((resolve) => (release = resolve));
    const taken: WhatsAppInbound[] = [];
    let arrived: () => void = () => undefined;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    const connection = await connectWhatsApp({
      authDir, logger, socketFactory: wa.factory, sendReadReceipts: true,
      onEvent: (event) => events.push(event),
      onInbound: async (messages) => {
        taken.push(...messages);
        arrived();
        await journaled;
      },
    });
    const sock = await wa.socket(1);
    sock.online();
    expect(events).toEqual([{ type: 'open', self: { jid: '15550001111:7@s.whatsapp.net', e164: '+15550001111', lid: null }, isNewLogin: false }]);
    sock.emit('messages.upsert', dm('+15551234567', 'hello', 'M1'));
    await received;
    expect(taken.map((m) => m.messageId)).toEqual(['M1']);
    expect(wa.calls.filter((c) => c.kind === 'readMessages')).toEqual([]);
    release();
    const read = await wa.call((c) => c.kind === 'readMessages');
    expect(read.keys).toEqual([{ remoteJid: '15551234567@s.whatsapp.net', id: 'M1', fromMe: false }]);

    const delivery = await sendWhatsApp(connection.socket, '15551234567@s.whatsapp.net', ['one', 'two'], 'https://media.test/cat.png');
    expect(delivery.messageIds).toHaveLength(2);
    expect(wa.calls.filter((c) => c.kind === 'sendMessage').map((c) => c.content)).toEqual([{ image: { url: 'https://media.test/cat.png' }, caption: 'one' }, { text: 'two' }]);

    sock.emit('connection.update', closedWith(401));
    expect(events.at(-1)).toMatchObject({ type: 'close', close: { kind: 'terminal', reason: 'logged-out' } });
    connection.close();
  });

  it('logs in by QR: a data URL for the QR, a fresh socket after 515, linked once it opens', async () => {
    const authDir = join(dir, 'login');
    const shown: string[] = [];
    const login = await WhatsAppLogin.begin({ accountId: 'default', authDir, logger, socketFactory: wa.factory, onQr: (qr) => shown.push(qr) });
    const first = await wa.socket(1);
    first.emit('connection.update', { qr: '2@first-ref,noise,identity,adv' });
    const started = await login.firstQr(5_000);
    expect(started.message).toBe('Scan this QR in WhatsApp → Linked Devices.');
    expect(started.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(started.qrDataUrl!.length).toBeLessThanOrEqual(16_384);
    expect(shown).toEqual(['2@first-ref,noise,identity,adv']);

    first.emit('connection.update', { qr: '2@second-ref,noise,identity,adv' });
    const refreshed = await login.wait(5_000, started.qrDataUrl);
    expect(refreshed).toMatchObject({ connected: false, message: 'QR refreshed. Scan the new QR in WhatsApp → Linked Devices.' });
    expect(refreshed.qrDataUrl).not.toBe(started.qrDataUrl);

    // The scan: WhatsApp writes the device identity, then asks for a restart.
    first.emit('creds.update', { me: { id: '15550002222:4@s.whatsapp.net', name: 'Phone' } });
    first.emit('connection.update', closedWith(515, 'Stream Errored (restart required)'));
    const second = await wa.socket(2);
    second.emit('connection.update', { connection: 'open', isNewLogin: true });
    expect(await login.wait(5_000)).toEqual({ connected: true, message: '✅ Linked! WhatsApp is ready.' });
    expect(login.linked).toBe(true);
    await expect.poll(async () => (await readAuthSummary(authDir)).self.e164).toBe('+15550002222');
  });

  it('reports a login whose socket fails before any QR', async () => {
    const login = await WhatsAppLogin.begin({ accountId: 'default', authDir: join(dir, 'failed'), logger, socketFactory: wa.factory });
    (await wa.socket(1)).emit('connection.update', closedWith(408, 'WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)'));
    expect(await login.firstQr(5_000)).toEqual({ message: 'WhatsApp login failed: WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com) (status 408)' });
    expect(await login.wait(1_000)).toEqual({ connected: false, message: 'WhatsApp login failed: WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com) (status 408)' });
  });
});
