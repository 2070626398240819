import type { Update } from 'grammy/types';
import type { InboundMessage } from '../contract.js';

/* Telegram updates → inbound messages (CHANNELS.md §4.1–4.2). Type-only import of grammY. */

/** Who the bot is (from `getMe`), for mention detection. */
export interface BotIdentity {
  readonly id: number;
  readonly username: string;
}

/** The inbound message of an update, or null for updates that carry none we answer (edits, reactions…). */
export function normalizeUpdate(update: Update, me: BotIdentity | null): InboundMessage | null {
  const message = update.message;
  if (!message?.from) return null;
  const text = message.text ?? message.caption ?? '';
  if (text.length === 0) return null;
  const entities = message.entities ?? message.caption_entities ?? [];
  const handle = me ? `@${me.username.toLowerCase()}` : null;
  const mentioned =
    (handle !== null && entities.some((e) => e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle)) ||
    (me !== null && entities.some((e) => e.type === 'text_mention' && e.user.id === me.id)) ||
    (me !== null && message.reply_to_message?.from?.id === me.id) ||
    (handle !== null && text.toLowerCase().includes(handle));
  const name = [message.from.first_name, message.from.last_name].filter(Boolean).join(' ');
  return {
    id: String(update.update_id),
    chatId: String(message.chat.id),
    chatType: message.chat.type === 'private' ? 'direct' : 'group',
    senderId: String(message.from.id),
    ...(name ? { senderName: name } : {}),
    ...(message.from.username ? { username: message.from.username } : {}),
    text,
    messageId: String(message.message_id),
    mentioned,
    ...(message.is_topic_message && message.message_thread_id !== undefined ? { threadId: String(message.message_thread_id) } : {}),
    sentAt: message.date * 1000,
  };
}
