import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AnyMessageContent, BaileysEventMap, WAMessageKey, WAPresence } from '@whiskeysockets/baileys';
import { WebSocketServer } from 'ws';
import { createBaileysSocket, type WaSocket, type WaSocketFactory } from '../../actors/channels/whatsapp/socket.js';

/**
 * Baileys at its narrowest seam (CHANNELS.md §8.2): a real `makeWASocket` connected to a local
 * WebSocket server that accepts and never answers (a fake cannot finish WhatsApp's Noise
 * handshake), so the socket stays `connecting`. Tests drive the socket's own `ev` emitter with
 * WhatsApp's event shapes and intercept the calls that would reach WhatsApp's servers.
 */

/** What the intercepted network calls received. */
export interface InterceptedCall {
  readonly kind: 'sendMessage' | 'sendPresenceUpdate' | 'readMessages';
  /** The socket's device (`creds.me.id`). */
  readonly from: string | undefined;
  readonly jid?: string;
  readonly content?: AnyMessageContent;
  readonly presence?: WAPresence;
  readonly keys?: readonly WAMessageKey[];
}

/** A real socket with its WhatsApp-bound calls recorded instead of sent. */
export interface InterceptedSocket {
  readonly socket: WaSocket;
  /** The device the socket logs in as (`creds.me.id`), or undefined for a login socket. */
  readonly me: string | undefined;
  emit<TEvent extends keyof BaileysEventMap>(event: TEvent, data: BaileysEventMap[TEvent]): void;
  /**
   * What WhatsApp's server does for a linked device: login succeeds (`open`), then the offline
   * backlog ends (`ib,offline`), where Baileys flushes the events it buffered since connecting.
   */
  online(): void;
}

export interface SilentWhatsApp {
  readonly url: string;
  readonly factory: WaSocketFactory;
  readonly sockets: InterceptedSocket[];
  readonly calls: InterceptedCall[];
  /** Resolves with the n-th socket (1-based) once it exists. */
  socket(n: number): Promise<InterceptedSocket>;
  /** Resolves with the latest socket matching `match` once one exists. */
  socketWhere(match: (socket: InterceptedSocket) => boolean): Promise<InterceptedSocket>;
  /** Resolves once `calls` holds a call matching `match`. */
  call(match: (call: InterceptedCall) => boolean): Promise<InterceptedCall>;
  /** Makes the next sends throw (or succeed again with null). */
  failSends: Error | null;
  close(): Promise<void>;
}

/** Starts the silent server and a socket factory over it. */
export async function silentWhatsApp(): Promise<SilentWhatsApp> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat`;
  const sockets: InterceptedSocket[] = [];
  const calls: InterceptedCall[] = [];
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  const until = <T>(probe: () => T | undefined): Promise<T> =>
    new Promise((resolve) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        listeners.delete(check);
        setImmediate(() => resolve(value)); // after the code that made it has wired its listeners

      };
      listeners.add(check);
      check();
    });
  let counter = 0;
  const state: SilentWhatsApp = {
    url,
    sockets,
    calls,
    failSends: null,
    factory: async (options) => {
      const real = await createBaileysSocket({ ...options, webSocketUrl: url });
      const from = options.auth.creds.me?.id;
      const raw = real as unknown as Record<string, unknown>;
      raw.sendMessage = async (jid: string, content: AnyMessageContent) => {
        if (state.failSends) throw state.failSends;
        calls.push({ kind: 'sendMessage', from, jid, content });
        changed();
        counter += 1;
        return { key: { remoteJid: jid, fromMe: true, id: `3EB0FAKE${String(counter).padStart(4, '0')}` } };
      };
      raw.sendPresenceUpdate = async (presence: WAPresence, jid?: string) => {
        calls.push({ kind: 'sendPresenceUpdate', from, presence, ...(jid ? { jid } : {}) });
        changed();
      };
      raw.readMessages = async (keys: WAMessageKey[]) => {
        calls.push({ kind: 'readMessages', from, keys });
        changed();
      };
      const ev = (real as unknown as { ev: { emit(event: string, data: unknown): boolean; flush(): boolean } }).ev;
      sockets.push({
        socket: real,
        me: options.auth.creds.me?.id,
        emit: (event, data) => ev.emit(event, data),
        online: () => {
          ev.emit('connection.update', { connection: 'open' });
          ev.flush();
          ev.emit('connection.update', { receivedPendingNotifications: true });
        },
      });
      changed();
      return real;
    },
    socket: (n) => until(() => sockets[n - 1]),
    socketWhere: (match) => until(() => sockets.filter(match).at(-1)),
    call: (match) => until(() => calls.find(match)),
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

/** Writes creds for a linked device (`creds.me`, synced before) into `authDir`, as Baileys keeps them after a scan. */
export async function seedLinkedCreds(authDir: string, me = { id: '15550001111:7@s.whatsapp.net', name: 'Gateway' }): Promise<void> {
  const { initAuthCreds, BufferJSON } = await import('@whiskeysockets/baileys');
  mkdirSync(authDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(authDir, 'creds.json'), JSON.stringify({ ...initAuthCreds(), me, accountSyncCounter: 1 }, BufferJSON.replacer), { mode: 0o600 });
}

/** A `messages.upsert` DM from `fromE164` (digits with +). */
export function dm(fromE164: string, text: string, id: string): BaileysEventMap['messages.upsert'] {
  return {
    type: 'notify',
    messages: [{ key: { remoteJid: `${fromE164.replace('+', '')}@s.whatsapp.net`, fromMe: false, id }, messageTimestamp: Math.floor(Date.now() / 1000), pushName: 'Alice', message: { conversation: text } }],
  };
}

/** A `connection.update` close with a Boom-like error of `statusCode`. */
export function closedWith(statusCode: number, message = 'Connection Failure'): BaileysEventMap['connection.update'] {
  const error = Object.assign(new Error(message), { isBoom: true, output: { statusCode, payload: {} } });
  return { connection: 'close', lastDisconnect: { error, date: new Date() } };
}
