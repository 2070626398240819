import type { BaileysEventMap } from '@whiskeysockets/baileys';
import type { Logger } from '../../logs/logger.js';
import { openAuthState } from './auth-store.js';
import { classifyClose, type WhatsAppClose } from './disconnect.js';
import { inboundMessages, type WhatsAppInbound } from './inbound.js';
import { jidToE164 } from './jid.js';
import type { WaSocket, WaSocketFactory } from './socket.js';

/**
 * One WhatsApp Web socket, from open to close, as events for the channel link. It decides
 * nothing: reconnects, backoff and blocking belong to the link machine, which opens a fresh
 * connection for every attempt.
 *
 *   connectWhatsApp ─▶ openAuthState ─▶ socket ─▶ 'qr'* ─▶ 'open' ─▶ inbound … ─▶ 'close'
 *   messages.upsert ─▶ onInbound (journals) ─▶ readMessages (the ack, only after the journal)
 */

/** Who the linked device is. */
export interface WhatsAppSelf {
  readonly jid: string | null;
  readonly e164: string | null;
  readonly lid: string | null;
}

/** What one socket reports. */
export type WhatsAppConnectionEvent =
  | { readonly type: 'qr'; readonly qr: string }
  | { readonly type: 'open'; readonly self: WhatsAppSelf; readonly isNewLogin: boolean }
  | { readonly type: 'close'; readonly close: WhatsAppClose };

export interface WhatsAppConnectionOptions {
  readonly authDir: string;
  readonly logger: Logger;
  readonly socketFactory: WaSocketFactory;
  readonly webSocketUrl?: string;
  readonly connectTimeoutMs?: number;
  /** Mark inbound messages read (blue ticks) once they are journaled. */
  readonly sendReadReceipts: boolean;
  readonly onEvent: (event: WhatsAppConnectionEvent) => void;
  /** Resolves once the messages are journaled; only then are they acknowledged. */
  readonly onInbound: (messages: readonly WhatsAppInbound[]) => Promise<void>;
}

/** A live socket and the calls the channel makes on it. */
export interface WhatsAppConnection {
  readonly socket: WaSocket;
  self(): WhatsAppSelf;
  /** Ends the socket; no `close` event follows a requested close. */
  close(): void;
}

/** Opens the account's auth state and one socket, and wires its events. */
export async function connectWhatsApp(options: WhatsAppConnectionOptions): Promise<WhatsAppConnection> {
  const { logger } = options;
  const auth = await openAuthState(options.authDir);
  const socket = await options.socketFactory({
    auth: auth.state,
    logger,
    ...(options.webSocketUrl ? { webSocketUrl: options.webSocketUrl } : {}),
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  let ended = false;
  const self = (): WhatsAppSelf => {
    const me = auth.state.creds.me;
    const jid = me?.id ?? null;
    return { jid, e164: jidToE164(jid), lid: me?.lid ?? null };
  };
  const emit = (event: WhatsAppConnectionEvent) => {
    if (!ended) options.onEvent(event);
  };

  const onCreds = () => {
    auth.saveCreds().catch((error: unknown) => logger.error('could not save WhatsApp creds', { error: String(error) }));
  };
  const onConnection = (update: BaileysEventMap['connection.update']) => {
    if (update.qr) emit({ type: 'qr', qr: update.qr });
    if (update.connection === 'open') emit({ type: 'open', self: self(), isNewLogin: update.isNewLogin === true });
    if (update.connection === 'close') {
      const close = classifyClose(update.lastDisconnect?.error);
      emit({ type: 'close', close });
      ended = true;
    }
  };
  const onUpsert = (upsert: BaileysEventMap['messages.upsert']) => {
    const messages = inboundMessages(upsert);
    if (messages.length === 0) return;
    options
      .onInbound(messages)
      .then(async () => {
        if (!options.sendReadReceipts || ended) return;
        await socket.readMessages(messages.map((m) => ({ ...m.key, fromMe: false })));
      })
      .catch((error: unknown) => logger.error('WhatsApp inbound not taken in', { error: String(error), count: messages.length }));
  };
  socket.ev.on('creds.update', onCreds);
  socket.ev.on('connection.update', onConnection);
  socket.ev.on('messages.upsert', onUpsert);

  return {
    socket,
    self,
    close() {
      if (ended) return;
      ended = true;
      socket.ev.off('connection.update', onConnection);
      socket.ev.off('messages.upsert', onUpsert);
      socket.end(undefined);
    },
  };
}
