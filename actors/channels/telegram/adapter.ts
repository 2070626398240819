import type { Api } from 'grammy';
import type { LinkFailure } from '../../../machines/channel-link.js';
import {
  ChannelSendError, type AdapterHost, type ChannelAccountAdapter, type ChannelTarget, type OutboundMedia, type OutboundText, type SentMessage,
} from '../contract.js';
import { normalizeUpdate, type BotIdentity } from './updates.js';

/*
 * One Telegram bot account through grammY's `Api` (CHANNELS.md §1, §5.1). Long polling is our own
 * loop on `getUpdates`, as the official gateway's worker: each update is handed to the module,
 * which journals it; only then does the offset move past it (the next `getUpdates` confirms it to
 * Telegram). A crash before that redelivers the update, which the journal already holds once.
 */

const ALLOWED_UPDATES = [
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_connection', 'business_message', 'edited_business_message',
  'deleted_business_messages', 'inline_query', 'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query',
  'purchased_paid_media', 'poll', 'poll_answer', 'my_chat_member', 'chat_join_request', 'chat_boost', 'removed_chat_boost', 'message_reaction',
] as const;
const LONG_POLL_SECONDS = 30;
/** grammY types its signals with the `abort-controller` polyfill; the runtime takes the platform's. */
type GrammySignal = Parameters<Api['getMe']>[0];

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** grammY's error classes (the module is imported when the first account starts, never at gateway start). */
type GrammyModule = typeof import('grammy');

/** What grammY's error says, as a link failure the channel-link machine classifies (the token never in it). */
function failureOf(grammy: GrammyModule, error: unknown, accountId: string, tokenSource: string, token: string): LinkFailure {
  const failure = describeFailure(grammy, error, accountId, tokenSource);
  // Network errors quote the request URL, which holds `/bot<TOKEN>/`.
  return token ? { ...failure, message: failure.message.split(token).join('***') } : failure;
}

function describeFailure(grammy: GrammyModule, error: unknown, accountId: string, tokenSource: string): LinkFailure {
  const { GrammyError, HttpError } = grammy;
  if (error instanceof GrammyError) {
    if (error.error_code === 409) {
      return {
        code: 409,
        message: `Telegram getUpdates conflict: ${error.description}; make sure that only one bot instance is running. Another OpenClaw gateway, script, or Telegram poller may be using this bot token; stop the duplicate poller or switch this account to webhook mode.`,
      };
    }
    if (error.error_code === 401 || error.error_code === 404) {
      return {
        code: error.error_code,
        message: `Telegram bot token unauthorized for account "${accountId}" (${error.method} returned ${error.error_code} from Telegram; source: ${tokenSource} token). Update channels.telegram.accounts.${accountId}.botToken/tokenFile with the current BotFather token.`,
      };
    }
    return { code: error.error_code, message: `Telegram ${error.method} failed: ${error.description}` };
  }
  if (error instanceof HttpError) return { message: `fetch failed | ${String((error.error as Error | undefined)?.message ?? error.message)}` };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Creates the adapter of one account (called by the definition, after the lazy import). */
export async function createTelegramAdapter(host: AdapterHost): Promise<ChannelAccountAdapter> {
  // A dynamic import: bundled, a static import of an external package would load at gateway start.
  const grammy = await import('grammy');
  const { Api } = grammy;
  const settings = host.account.settings as { token: string | null; tokenSource: string; apiRoot: string; webhookUrl: string | null; allowUnmentionedGroups: boolean };
  const token = settings.token ?? '';
  const api = new Api(token, { apiRoot: settings.apiRoot, timeoutSeconds: LONG_POLL_SECONDS + 15 });
  let generation = 0;
  let abort: AbortController | null = null;
  let loop: Promise<void> = Promise.resolve();
  let me: BotIdentity | null = null;

  const poll = async (mine: number, signal: AbortSignal): Promise<void> => {
    const abortable = signal as unknown as GrammySignal;
    try {
      const identity = await api.getMe(abortable);
      me = { id: identity.id, username: identity.username };
      host.activity();
      await api.deleteWebhook({ drop_pending_updates: false }, abortable);
      host.logger.info(`[telegram] [${host.account.accountId}] starting provider (@${identity.username})`);
      const last = host.lastInboundId();
      let offset = last !== null && /^\d+$/.test(last) ? Number(last) + 1 : undefined;
      let first = true;
      while (mine === generation) {
        const updates = await api.getUpdates(
          { ...(offset !== undefined ? { offset } : {}), timeout: first ? 0 : LONG_POLL_SECONDS, limit: 100, allowed_updates: [...ALLOWED_UPDATES] },
          abortable,
        );
        if (mine !== generation) return;
        host.activity();
        if (first) host.connected();
        first = false;
        for (const update of updates) {
          const message = normalizeUpdate(update, me);
          if (message) await host.inbound(message); // journaled before the offset moves past it
          if (mine !== generation) return; // not confirmed: Telegram redelivers it, the journal dedupes
          offset = update.update_id + 1;
        }
      }
    } catch (error) {
      if (mine !== generation || signal.aborted) return;
      host.failed(failureOf(grammy, error, host.account.accountId, settings.tokenSource, token));
    }
  };

  /** `@username` → numeric chat id through `getChat`. */
  const chatIdOf = async (target: ChannelTarget): Promise<string> => {
    if (!target.chatId.startsWith('@')) return target.chatId;
    try {
      const chat = await api.getChat(target.chatId);
      return String(chat.id);
    } catch (error) {
      throw new ChannelSendError(
        `OutboundDeliveryError: Telegram recipient ${target.chatId} could not be resolved to a numeric chat ID (${failureOf(grammy, error, host.account.accountId, settings.tokenSource, token).message})`,
        'unavailable',
        { code: 'OUTBOUND_DELIVERY_QUEUED' },
        { cause: error },
      );
    }
  };

  const thread = (target: ChannelTarget) => (target.threadId ? { message_thread_id: Number(target.threadId) } : {});

  const sendError = (error: unknown): never => {
    if (error instanceof ChannelSendError) throw error;
    throw new ChannelSendError(`OutboundDeliveryError: ${failureOf(grammy, error, host.account.accountId, settings.tokenSource, token).message}`, 'unavailable', { code: 'OUTBOUND_DELIVERY_QUEUED' }, { cause: error });
  };

  return {
    open() {
      const mine = ++generation;
      abort = new AbortController();
      const signal = abort.signal;
      loop = loop.then(() => poll(mine, signal));
    },
    async close() {
      generation += 1;
      abort?.abort();
      abort = null;
      await loop;
    },
    async sendText(message: OutboundText): Promise<SentMessage> {
      try {
        const chatId = await chatIdOf(message.target);
        const sent = await api.sendMessage(chatId, message.html ? message.text : escapeHtml(message.text), {
          parse_mode: 'HTML',
          ...thread(message.target),
          ...(message.silent ? { disable_notification: true } : {}),
          ...(message.replyToId ? { reply_parameters: { message_id: Number(message.replyToId) } } : {}),
        });
        host.activity();
        return { messageId: String(sent.message_id), chatId: String(sent.chat.id) };
      } catch (error) {
        return sendError(error);
      }
    },
    async sendMedia(media: OutboundMedia): Promise<SentMessage> {
      try {
        const chatId = await chatIdOf(media.target);
        const other = { ...thread(media.target), ...(media.caption ? { caption: escapeHtml(media.caption), parse_mode: 'HTML' as const } : {}) };
        const kind = media.forceDocument ? 'document' : mediaKind(media.url, media.contentType, media.asVoice === true);
        const sent =
          kind === 'photo' ? await api.sendPhoto(chatId, media.url, other)
          : kind === 'video' ? await api.sendVideo(chatId, media.url, other)
          : kind === 'voice' ? await api.sendVoice(chatId, media.url, other)
          : kind === 'audio' ? await api.sendAudio(chatId, media.url, other)
          : await api.sendDocument(chatId, media.url, other);
        return { messageId: String(sent.message_id), chatId: String(sent.chat.id) };
      } catch (error) {
        return sendError(error);
      }
    },
    async sendTyping(target) {
      await api.sendChatAction(await chatIdOf(target), 'typing', thread(target));
    },
    async editText(target, messageId, text) {
      await api.editMessageText(await chatIdOf(target), Number(messageId), escapeHtml(text), { parse_mode: 'HTML' });
    },
    async probe(timeoutMs) {
      return probeBot(settings.apiRoot, token, timeoutMs);
    },
    snapshot() {
      return {
        tokenSource: settings.tokenSource,
        tokenStatus: token ? 'available' : 'missing',
        mode: settings.webhookUrl ? 'webhook' : 'polling',
        allowUnmentionedGroups: settings.allowUnmentionedGroups,
      };
    },
  };
}

function mediaKind(url: string, contentType: string | undefined, asVoice: boolean): 'photo' | 'video' | 'voice' | 'audio' | 'document' {
  const type = contentType ?? '';
  const path = url.split('?')[0]?.toLowerCase() ?? '';
  if (type.startsWith('image/') || /\.(png|jpe?g|webp)$/.test(path)) return 'photo';
  if (type.startsWith('video/') || /\.(mp4|mov)$/.test(path)) return 'video';
  if (type.startsWith('audio/') || /\.(ogg|oga|mp3|m4a)$/.test(path)) return asVoice ? 'voice' : 'audio';
  return 'document';
}

const BOT_FLAGS = [
  'can_join_groups', 'can_read_all_group_messages', 'can_manage_bots', 'supports_inline_queries', 'supports_join_request_queries',
  'can_connect_to_business', 'has_main_web_app', 'has_topics_enabled', 'allows_users_to_create_topics',
] as const;
const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** `GET getMe` (as the official probe does), shaped as `channels.status` `probe` (CHANNELS.md §3.2). */
async function probeBot(apiRoot: string, token: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const started = Date.now();
  try {
    const response = await fetch(`${apiRoot}/bot${token}/getMe`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as { ok: boolean; result?: Record<string, unknown>; description?: string; error_code?: number };
    const elapsedMs = Date.now() - started;
    if (!body.ok || !body.result) return { ok: false, status: body.error_code ?? response.status, error: body.description ?? `HTTP ${response.status}`, elapsedMs };
    const raw = body.result;
    const botInfo: Record<string, unknown> = { id: raw.id, is_bot: raw.is_bot, first_name: raw.first_name, username: raw.username };
    for (const flag of BOT_FLAGS) botInfo[flag] = raw[flag] ?? false;
    const bot: Record<string, unknown> = { id: raw.id ?? null, isBot: raw.is_bot ?? null, firstName: raw.first_name ?? null, username: raw.username ?? null };
    for (const flag of BOT_FLAGS) if (flag !== 'supports_join_request_queries') bot[camel(flag)] = raw[flag] ?? null;
    return { ok: true, status: null, error: null, elapsedMs, botInfo, bot };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return { ok: false, status: null, error: `fetch failed${cause ? ` | ${cause}` : ` | ${(error as Error).message}`}`, elapsedMs: Date.now() - started };
  }
}
