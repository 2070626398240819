import type { AdapterHost, ChannelAccountAdapter, ChannelTarget, InboundMessage, OutboundMedia, OutboundText, SentMessage } from '../contract.js';
import { acquireAccountLock, WhatsAppAccountLockedError, type AccountLock } from './auth-lock.js';
import { readAuthSummarySync, removeAuth } from './auth-store.js';
import { connectWhatsApp, type WhatsAppConnection, type WhatsAppConnectionEvent, type WhatsAppSelf } from './connection.js';
import { notLinkedError } from './not-linked.js';
import type { WhatsAppInbound } from './inbound.js';
import { bareJid } from './jid.js';
import { mediaContent } from './outbound.js';
import { createBaileysSocket, type WaSocketFactory } from './socket.js';

/*
 * One WhatsApp account's platform I/O for the channel module. Each `open()` takes the account
 * lock and one fresh socket; the module's channel-link machine decides, from what `host.failed`
 * reports (the Baileys close code), whether to reconnect after a backoff or to block.
 */

/** A connection that stayed open this long resets the retry counter (the official `heartbeatSeconds`). */
export const HEALTHY_AFTER_MS = 60_000;

/** The lock is held by another process: a retryable failure (it may be a login finishing). */
const LOCKED_CODE = 'locked';

type HealthState = 'stopped' | 'connecting' | 'connected' | 'reconnecting' | 'logged-out' | 'conflict';

/** The mention check of a group message: our JID or lid among the mentions, or a reply to us. */
function mentionsSelf(message: WhatsAppInbound, self: WhatsAppSelf): boolean {
  const ours = [self.jid, self.lid].filter((id): id is string => id !== null).map(bareJid);
  if (ours.length === 0) return false;
  if (message.mentionedJids.some((jid) => ours.includes(bareJid(jid)))) return true;
  return message.replyTo?.senderJid !== null && message.replyTo?.senderJid !== undefined && ours.includes(bareJid(message.replyTo.senderJid));
}

/** The channel's inbound record of a WhatsApp message: senders by E.164 when WhatsApp shows it. */
export function toInboundMessage(message: WhatsAppInbound, self: WhatsAppSelf): InboundMessage {
  return {
    id: `${message.chatJid}/${message.messageId}`,
    chatId: message.chatJid,
    chatType: message.isGroup ? 'group' : 'direct',
    senderId: message.senderE164 ?? message.senderJid,
    ...(message.senderName ? { senderName: message.senderName } : {}),
    text: message.text,
    messageId: message.messageId,
    mentioned: message.isGroup && mentionsSelf(message, self),
    ...(message.timestamp > 0 ? { sentAt: message.timestamp * 1000 } : {}),
  };
}

/** Platform HTML (the pairing reply, notices) as WhatsApp text: tags dropped, entities decoded. */
export function plainText(html: string): string {
  return html
    .replace(/<\/?(pre|code|b|i|u|s|a)(\s[^>]*)?>/gi, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Creates the adapter of one account. */
export function createWhatsAppAdapter(host: AdapterHost, seam?: WaSocketFactory): ChannelAccountAdapter {
  const socketFactory = seam ?? createBaileysSocket;
  const { account, logger } = host;
  const authDir = String(account.settings.authDir);
  const sendReadReceipts = account.settings.sendReadReceipts !== false;
  const webSocketUrl = typeof account.settings.webSocketUrl === 'string' ? account.settings.webSocketUrl : undefined;
  let lock: AccountLock | undefined;
  let connection: WhatsAppConnection | undefined;
  let opening: Promise<void> | undefined;
  let generation = 0;
  let open = false;
  let healthTimer: NodeJS.Timeout | undefined;
  let self: WhatsAppSelf = readAuthSummarySync(authDir).self;
  let healthState: HealthState = 'stopped';
  let lastConnectedAt: number | null = null;
  let lastDisconnect: { at: number; status: number | null; error: string } | null = null;

  const teardown = () => {
    generation += 1;
    open = false;
    clearTimeout(healthTimer);
    connection?.close();
    connection = undefined;
    lock?.release();
    lock = undefined;
  };

  const onEvent = (mine: number, event: WhatsAppConnectionEvent) => {
    if (mine !== generation) return;
    host.activity();
    if (event.type === 'qr') {
      // A socket without a device identity asks for a scan: the gateway does not log in by itself.
      teardown();
      healthState = 'logged-out';
      host.failed({ code: 401, message: 'Not linked (no WhatsApp Web session). Run: openclaw channels login --channel whatsapp' });
      return;
    }
    if (event.type === 'open') {
      open = true;
      self = event.self;
      healthState = 'connected';
      lastConnectedAt = Date.now();
      host.connected();
      healthTimer = setTimeout(() => host.healthy(), HEALTHY_AFTER_MS);
      healthTimer.unref();
      return;
    }
    const { close } = event;
    lastDisconnect = { at: Date.now(), status: close.status, error: close.message };
    teardown();
    if (close.kind === 'terminal') {
      healthState = close.healthState;
      if (close.reason === 'logged-out') {
        // The phone unlinked this device: the saved creds are dead; a relink starts from a fresh QR.
        removeAuth(authDir).catch((error: unknown) => logger.error('could not remove logged-out WhatsApp creds', { error: String(error) }));
      }
    } else {
      healthState = 'reconnecting';
    }
    host.failed({ ...(close.status !== null ? { code: close.status } : {}), message: close.message });
  };

  const onInbound = async (mine: number, messages: readonly WhatsAppInbound[]) => {
    for (const message of messages) {
      if (mine !== generation) throw new Error('the WhatsApp socket closed before the message was journaled');
      await host.inbound(toInboundMessage(message, self));
    }
  };

  const connectOnce = async (mine: number) => {
    try {
      lock = acquireAccountLock(authDir);
    } catch (error) {
      if (!(error instanceof WhatsAppAccountLockedError)) throw error;
      healthState = 'reconnecting';
      host.failed({ code: LOCKED_CODE, message: error.message });
      return;
    }
    const opened = await connectWhatsApp({
      authDir, logger, socketFactory, sendReadReceipts,
      ...(webSocketUrl ? { webSocketUrl } : {}),
      onEvent: (event) => onEvent(mine, event),
      onInbound: (messages) => onInbound(mine, messages),
    });
    if (mine !== generation) opened.close(); // closed while the socket was being made
    else connection = opened;
  };

  const live = (): WhatsAppConnection => {
    if (!connection || !open) throw notLinkedError(account.accountId);
    return connection;
  };

  const sent = (chatId: string, result: { key: { id?: string | null; remoteJid?: string | null } } | undefined): SentMessage => {
    const id = result?.key.id;
    if (!id) throw new Error(`WhatsApp returned no message id for a send to ${chatId}`);
    return { messageId: id, chatId, extra: { toJid: result.key.remoteJid ?? chatId } };
  };

  return {
    open() {
      teardown();
      const mine = generation;
      healthState = 'connecting';
      opening = connectOnce(mine).catch((error: unknown) => {
        if (mine !== generation) return;
        teardown();
        healthState = 'reconnecting';
        host.failed({ message: error instanceof Error ? error.message : String(error) });
      });
    },
    async close() {
      teardown();
      if (healthState !== 'logged-out' && healthState !== 'conflict') healthState = 'stopped'; // a terminal reason stays visible
      await opening;
    },
    async sendText(message: OutboundText) {
      const socket = live().socket;
      return sent(message.target.chatId, await socket.sendMessage(message.target.chatId, { text: message.html ? plainText(message.text) : message.text }));
    },
    async sendMedia(media: OutboundMedia) {
      const socket = live().socket;
      return sent(media.target.chatId, await socket.sendMessage(media.target.chatId, mediaContent(media.url, media.caption)));
    },
    async sendTyping(target: ChannelTarget) {
      await live().socket.sendPresenceUpdate('composing', target.chatId);
    },
    snapshot() {
      const auth = readAuthSummarySync(authDir);
      return {
        linked: auth.linked,
        statusState: auth.linked ? 'linked' : 'not-linked',
        authAgeMs: auth.authWrittenAt === null ? null : Math.max(0, Date.now() - auth.authWrittenAt),
        self: auth.linked ? auth.self : self,
        ...(lastConnectedAt !== null ? { lastConnectedAt } : {}),
        lastDisconnect,
        healthState,
        ...(auth.linked ? {} : { stateReason: 'not linked' }),
      };
    },
  };
}
