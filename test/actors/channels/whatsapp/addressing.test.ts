import { describe, expect, it } from 'vitest';
import { classifyClose } from '../../../../actors/channels/whatsapp/disconnect.js';
import { inboundMessages } from '../../../../actors/channels/whatsapp/inbound.js';
import { bareJid, jidToE164, normalizeE164, targetToJid } from '../../../../actors/channels/whatsapp/jid.js';
import { mediaContent } from '../../../../actors/channels/whatsapp/outbound.js';
import { closedWith, dm } from '../../../helpers/whatsapp-socket.js';

describe('WhatsApp addresses', () => {
  it('normalizes numbers and JIDs to E.164', () => {
    expect(normalizeE164('+1 (555) 123-4567')).toBe('+15551234567');
    expect(normalizeE164('whatsapp:15551234567')).toBe('+15551234567');
    expect(normalizeE164('alice')).toBeNull();
    expect(jidToE164('15551234567:12@s.whatsapp.net')).toBe('+15551234567');
    expect(jidToE164('123@g.us')).toBeNull();
    expect(jidToE164('98765@lid')).toBeNull();
    expect(bareJid('15551234567:12@s.whatsapp.net')).toBe('15551234567@s.whatsapp.net');
  });

  it('turns send targets into JIDs and refuses what is neither a number nor a JID', () => {
    expect(targetToJid('+15551234567')).toBe('15551234567@s.whatsapp.net');
    expect(targetToJid('whatsapp:+15551234567')).toBe('15551234567@s.whatsapp.net');
    expect(targetToJid('120363000000000000@g.us')).toBe('120363000000000000@g.us');
    expect(targetToJid('15551234567@c.us')).toBe('15551234567@s.whatsapp.net');
    expect(targetToJid('@someone')).toBeNull();
  });

  it('picks the Baileys media kind from the URL', () => {
    expect(mediaContent('https://x.test/a.png', 'hi')).toEqual({ image: { url: 'https://x.test/a.png' }, caption: 'hi' });
    expect(mediaContent('https://x.test/v.mp4')).toEqual({ video: { url: 'https://x.test/v.mp4' } });
    expect(mediaContent('https://x.test/n.ogg', 'ignored')).toEqual({ audio: { url: 'https://x.test/n.ogg' } });
    expect(mediaContent('https://x.test/files/report%201.pdf')).toEqual({ document: { url: 'https://x.test/files/report%201.pdf' }, mimetype: 'application/octet-stream', fileName: 'report 1.pdf' });
  });
});

describe('WhatsApp close codes', () => {
  it('treats 401 logged out and 440 replaced as terminal, 515 as restart, the rest as retry', () => {
    expect(classifyClose(closedWith(401).lastDisconnect?.error)).toMatchObject({ kind: 'terminal', reason: 'logged-out', healthState: 'logged-out', status: 401 });
    expect(classifyClose(closedWith(440).lastDisconnect?.error)).toMatchObject({ kind: 'terminal', reason: 'replaced', healthState: 'conflict', status: 440 });
    expect(classifyClose(closedWith(515).lastDisconnect?.error)).toMatchObject({ kind: 'restart', status: 515 });
    expect(classifyClose(closedWith(428, 'Connection Terminated').lastDisconnect?.error)).toEqual({ kind: 'retry', status: 428, message: 'Connection Terminated (status 428)' });
    expect(classifyClose(new Error('getaddrinfo ENOTFOUND web.whatsapp.com'))).toEqual({ kind: 'retry', status: null, message: 'getaddrinfo ENOTFOUND web.whatsapp.com' });
  });
});

describe('WhatsApp inbound messages', () => {
  it('keeps DMs and group messages with their sender, and drops echoes, status posts and appends of other types', () => {
    const upsert = dm('+15551234567', 'hello', 'M1');
    const group = {
      key: { remoteJid: '120363000000000000@g.us', participant: '15557654321:3@s.whatsapp.net', fromMe: false, id: 'G1' },
      messageTimestamp: 1_700_000_000,
      message: { extendedTextMessage: { text: '@15550001111 hi', contextInfo: { mentionedJid: ['15550001111@s.whatsapp.net'], stanzaId: 'Q1', participant: '15550001111@s.whatsapp.net' } } },
    };
    const echo = { key: { remoteJid: '15551234567@s.whatsapp.net', fromMe: true, id: 'E1' }, message: { conversation: 'mine' } };
    const status = { key: { remoteJid: 'status@broadcast', fromMe: false, id: 'S1' }, message: { conversation: 'story' } };
    const image = { key: { remoteJid: '15551234567@s.whatsapp.net', fromMe: false, id: 'I1' }, message: { imageMessage: { caption: 'look' } } };
    const found = inboundMessages({ type: 'notify', messages: [...upsert.messages, group, echo, status, image] });
    expect(found.map((m) => m.messageId)).toEqual(['M1', 'G1', 'I1']);
    expect(found[0]).toMatchObject({ chatJid: '15551234567@s.whatsapp.net', senderJid: '15551234567@s.whatsapp.net', senderE164: '+15551234567', senderName: 'Alice', isGroup: false, text: 'hello' });
    expect(found[1]).toMatchObject({ chatJid: '120363000000000000@g.us', senderJid: '15557654321@s.whatsapp.net', senderE164: '+15557654321', isGroup: true, mentionedJids: ['15550001111@s.whatsapp.net'], replyTo: { id: 'Q1', senderJid: '15550001111@s.whatsapp.net' }, key: { remoteJid: '120363000000000000@g.us', id: 'G1', participant: '15557654321:3@s.whatsapp.net' } });
    expect(found[2]?.text).toBe('look\n<media:image>');
    expect(inboundMessages({ type: 'other', messages: upsert.messages })).toEqual([]);
  });
});
