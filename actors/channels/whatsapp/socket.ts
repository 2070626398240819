import type { AnyMessageContent, AuthenticationState, BaileysEventMap, WAMessage, WAMessageKey, WAPresence } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { Logger } from '../../logs/logger.js';
import { SERVER_VERSION } from '../../../protocol/version.js';

/**
 * The members of a Baileys socket the WhatsApp channel uses, and nothing else: the event emitter
 * and the calls that reach WhatsApp. This is the seam tests use (a real socket whose network
 * calls are intercepted); the gateway passes `createBaileysSocket`.
 */
export interface WaSocket {
  readonly ev: {
    on<TEvent extends keyof BaileysEventMap>(event: TEvent, listener: (arg: BaileysEventMap[TEvent]) => void): void;
    off<TEvent extends keyof BaileysEventMap>(event: TEvent, listener: (arg: BaileysEventMap[TEvent]) => void): void;
  };
  sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined>;
  sendPresenceUpdate(type: WAPresence, jid?: string): Promise<void>;
  readMessages(keys: WAMessageKey[]): Promise<void>;
  end(error: Error | undefined): void;
}

/** What one socket needs. */
export interface WaSocketOptions {
  readonly auth: AuthenticationState;
  readonly logger: Logger;
  /** `ws:`/`wss:` URL instead of WhatsApp's (`OPENCLAW_WHATSAPP_WEB_SOCKET_URL`). */
  readonly webSocketUrl?: string;
  readonly connectTimeoutMs?: number;
}

/** Opens one socket; the channel opens a fresh one for every (re)connect. */
export type WaSocketFactory = (options: WaSocketOptions) => Promise<WaSocket>;

/** Baileys' logger interface over ours: its chatter goes to debug, its warnings and errors through. */
export function baileysLogger(logger: Logger, bindings: Record<string, unknown> = {}): ILogger {
  const fields = (obj: unknown): Record<string, unknown> => ({ ...bindings, ...(typeof obj === 'object' && obj !== null ? { detail: JSON.stringify(obj).slice(0, 500) } : {}) });
  const text = (obj: unknown, msg?: string): string => msg ?? (typeof obj === 'string' ? obj : 'baileys');
  return {
    level: logger.debugEnabled ? 'debug' : 'warn',
    child: (more) => baileysLogger(logger, { ...bindings, ...more }),
    trace: () => undefined,
    debug: (obj, msg) => {
      if (logger.debugEnabled) logger.debug(text(obj, msg), fields(obj));
    },
    info: (obj, msg) => {
      if (logger.debugEnabled) logger.debug(text(obj, msg), fields(obj));
    },
    warn: (obj, msg) => logger.warn(text(obj, msg), fields(obj)),
    error: (obj, msg) => logger.error(text(obj, msg), fields(obj)),
  };
}

/**
 * The Baileys socket as the official plugin configures it (no QR printing, no history sync,
 * not marked online, 25 s keep-alive, 60 s connect and query timeouts). Baileys is imported here,
 * on the first connect, so a gateway without `channels.whatsapp` never loads it. The protocol
 * version is Baileys' bundled one: no network call before the socket.
 */
export const createBaileysSocket: WaSocketFactory = async (options) => {
  const baileys = await import('@whiskeysockets/baileys');
  const logger = baileysLogger(options.logger);
  return baileys.makeWASocket({
    auth: { creds: options.auth.creds, keys: baileys.makeCacheableSignalKeyStore(options.auth.keys, logger) },
    logger,
    printQRInTerminal: false,
    browser: ['openclaw', 'cli', SERVER_VERSION],
    syncFullHistory: false,
    markOnlineOnConnect: false,
    keepAliveIntervalMs: 25_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 60_000,
    defaultQueryTimeoutMs: 60_000,
    ...(options.webSocketUrl ? { waWebSocketUrl: options.webSocketUrl } : {}),
  });
};
