import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/*
 * A fake Telegram Bot API on 127.0.0.1 speaking the real wire format: `/bot<TOKEN>/<method>` with
 * JSON bodies (or query strings for GET), `{ok:true,result}` or `{ok:false,error_code,description}`.
 * `getMe` answers GET and POST; `getUpdates` long-polls (held until an update is queued or the
 * timeout passes, released on `res.on('close')`) and drops updates below `offset`, as Telegram
 * confirms them. `mode` switches every call to 409 (getUpdates), 401, or unreachable (sockets
 * destroyed); switching it releases held long polls into the new mode. HTML bodies are checked
 * as Telegram does (an unescaped `<` or `&` → 400).
 */

export interface FakeTelegramCall {
  readonly method: string;
  readonly httpMethod: string;
  readonly token: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export interface SentTelegramMessage {
  readonly messageId: number;
  readonly chatId: string;
  readonly text: string;
  readonly threadId?: number;
}

export type FakeTelegramMode = 'ok' | 'conflict' | 'unauthorized' | 'unreachable';

export interface FakeTelegram {
  readonly apiRoot: string;
  readonly port: number;
  readonly calls: FakeTelegramCall[];
  /** Every sendMessage the bot made (text as sent, edits applied). */
  readonly sent: SentTelegramMessage[];
  /** Every call answers as this says from now on; held long polls are released into it. */
  mode: FakeTelegramMode;
  /** Holds each sendMessage this long before answering (a slow Bot API). */
  sendDelayMs: number;
  /** Queues a private message from `from` to the bot; returns its update_id. */
  dm(from: number, text: string, user?: { first_name?: string; username?: string }): number;
  /** Queues a group message; `mention: true` adds a @bot mention entity. */
  group(chatId: number, from: number, text: string, options?: { mention?: boolean }): number;
  /** Resolves once `predicate` holds for the calls so far (checked on every call). */
  waitFor(predicate: (calls: readonly FakeTelegramCall[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  callsOf(method: string): FakeTelegramCall[];
  /** Messages sent to one chat. */
  sentTo(chatId: number | string): SentTelegramMessage[];
  close(): Promise<void>;
}

export const FAKE_BOT = { id: 7_000_001, is_bot: true, first_name: 'Fake OC', username: 'fake_oc_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };

const HTML_TAGS = /<\/?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|span|tg-spoiler|blockquote|tg-emoji)(\s[^>]*)?>/g;

/** Telegram's parse_mode HTML check: after removing known tags, no `<` and no bare `&` may remain. */
function htmlProblem(text: string): string | null {
  const stripped = text.replace(HTML_TAGS, '');
  if (stripped.includes('<')) return "Bad Request: can't parse entities: unsupported start tag";
  if (/&(?!(lt|gt|amp|quot|#\d+);)/.test(stripped)) return "Bad Request: can't parse entities: unsupported entity";
  return null;
}

export async function startFakeTelegram(options: { badTokens?: readonly string[] } = {}): Promise<FakeTelegram> {
  const calls: FakeTelegramCall[] = [];
  const sent: SentTelegramMessage[] = [];
  const updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  const polls = new Set<() => void>();
  const sockets = new Set<Socket>();
  let nextUpdate = 1000;
  let nextMessage = 500;
  let confirmed = 0;
  let mode: FakeTelegramMode = 'ok';
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const wake = () => {
    for (const poll of [...polls]) poll();
  };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, code: number, description: string) => reply(res, code, { ok: false, error_code: code, description });
  const ok = (res: ServerResponse, result: unknown) => reply(res, 200, { ok: true, result });

  const message = (chatId: unknown, text: string, body: Record<string, unknown>) => {
    const messageId = nextMessage++;
    const chatKey = String(chatId);
    const thread = body.message_thread_id !== undefined ? Number(body.message_thread_id) : undefined;
    sent.push({ messageId, chatId: chatKey, text, ...(thread !== undefined ? { threadId: thread } : {}) });
    return {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(chatKey), type: Number(chatKey) < 0 ? 'supergroup' : 'private' },
      from: { id: FAKE_BOT.id, is_bot: true, first_name: FAKE_BOT.first_name, username: FAKE_BOT.username },
      text,
      ...(thread !== undefined ? { message_thread_id: thread, is_topic_message: true } : {}),
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, fake: FakeTelegram) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const body: Record<string, unknown> = raw ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(url.searchParams);
    if (!match) return error(res, 404, 'Not Found');
    const [, token = '', method = ''] = match;
    calls.push({ method, httpMethod: req.method ?? 'GET', token, body, at: Date.now() });
    notify();
    if (fake.mode === 'unreachable') {
      req.socket.destroy();
      return;
    }
    if (fake.mode === 'unauthorized' || options.badTokens?.includes(token)) return error(res, 401, 'Unauthorized');
    switch (method) {
      case 'getMe':
        return ok(res, FAKE_BOT);
      case 'deleteWebhook':
      case 'deleteMyCommands':
      case 'setMyCommands':
      case 'setMessageReaction':
      case 'sendChatAction':
        return ok(res, true);
      case 'getWebhookInfo':
        return ok(res, { url: '', has_custom_certificate: false, pending_update_count: 0 });
      case 'getChat': {
        const id = String(body.chat_id);
        if (id.startsWith('@')) return id === '@known_user' ? ok(res, { id: 4242, type: 'private', username: 'known_user' }) : error(res, 400, 'Bad Request: chat not found');
        return ok(res, { id: Number(id), type: Number(id) < 0 ? 'supergroup' : 'private' });
      }
      case 'getChatMember':
        return ok(res, { status: 'member', user: FAKE_BOT });
      case 'getUpdates': {
        if (fake.mode === 'conflict') return error(res, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
        const offset = body.offset !== undefined ? Number(body.offset) : undefined;
        if (offset !== undefined && offset > confirmed) confirmed = offset;
        while (updates.length > 0 && (updates[0]?.update_id ?? 0) < confirmed) updates.shift();
        const limit = body.limit !== undefined ? Number(body.limit) : 100;
        const timeoutS = body.timeout !== undefined ? Number(body.timeout) : 0;
        const ready = () => updates.filter((u) => u.update_id >= confirmed).slice(0, limit);
        if (ready().length > 0 || timeoutS === 0) return ok(res, ready());
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, timeoutS * 1000);
          function done() {
            clearTimeout(timer);
            polls.delete(done);
            resolve();
          }
          polls.add(done);
          res.on('close', done);
        });
        if (res.destroyed || res.writableEnded) return;
        // A mode switch releases held polls, which then fail as the new mode says.
        const now = fake.mode as FakeTelegramMode;
        if (now === 'unreachable') {
          req.socket.destroy();
          return;
        }
        if (now === 'unauthorized') return error(res, 401, 'Unauthorized');
        if (now === 'conflict') return error(res, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
        return ok(res, ready());
      }
      case 'sendMessage': {
        const text = String(body.text ?? '');
        if (body.parse_mode === 'HTML') {
          const problem = htmlProblem(text);
          if (problem) return error(res, 400, problem);
        }
        if (fake.sendDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.sendDelayMs));
        return ok(res, message(body.chat_id, text, body));
      }
      case 'editMessageText': {
        const target = sent.find((m) => m.messageId === Number(body.message_id) && m.chatId === String(body.chat_id));
        if (!target) return error(res, 400, 'Bad Request: message to edit not found');
        const text = String(body.text ?? '');
        if (target.text === text) return error(res, 400, 'Bad Request: message is not modified');
        (target as { text: string }).text = text;
        return ok(res, { ...message(body.chat_id, text, body), message_id: target.messageId });
      }
      case 'sendPhoto':
      case 'sendDocument':
      case 'sendVideo':
      case 'sendAudio':
      case 'sendVoice':
        return ok(res, message(body.chat_id, String(body.caption ?? ''), body));
      default:
        return error(res, 404, 'Not Found: method not found');
    }
  };

  let fake: FakeTelegram;
  const server: Server = createServer((req, res) => {
    handle(req, res, fake)
      .catch((e: unknown) => {
        if (!res.headersSent) error(res, 500, String(e));
      })
      .finally(notify);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const queue = (messageBody: Record<string, unknown>) => {
    const update_id = nextUpdate++;
    updates.push({ update_id, message: { message_id: update_id + 10_000, date: Math.floor(Date.now() / 1000), ...messageBody } });
    wake();
    return update_id;
  };
  fake = {
    apiRoot: `http://127.0.0.1:${port}`,
    port,
    calls,
    sent,
    get mode() {
      return mode;
    },
    set mode(next: FakeTelegramMode) {
      mode = next;
      wake();
    },
    sendDelayMs: 0,
    dm: (from, text, user = {}) =>
      queue({ from: { id: from, is_bot: false, first_name: user.first_name ?? `User${from}`, ...(user.username ? { username: user.username } : {}) }, chat: { id: from, type: 'private' }, text }),
    group: (chatId, from, text, groupOptions = {}) => {
      const body = groupOptions.mention ? `@${FAKE_BOT.username} ${text}` : text;
      return queue({
        from: { id: from, is_bot: false, first_name: `User${from}` },
        chat: { id: chatId, type: 'supergroup', title: 'Group' },
        text: body,
        ...(groupOptions.mention ? { entities: [{ type: 'mention', offset: 0, length: FAKE_BOT.username.length + 1 }] } : {}),
      });
    },
    waitFor: (predicate, timeoutMs = 15_000, what = 'condition') =>
      new Promise<void>((resolve, reject) => {
        if (predicate(calls)) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake Telegram: ${what} not reached in ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ')}`));
        }, timeoutMs);
        function check() {
          if (!predicate(calls)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        }
        waiters.add(check);
      }),
    callsOf: (method) => calls.filter((c) => c.method === method),
    sentTo: (chatId) => sent.filter((m) => m.chatId === String(chatId)),
    close: async () => {
      wake();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
