import type { WAMessage, proto } from '@whiskeysockets/baileys';
import { bareJid, isBroadcastJid, isGroupJid, jidToE164 } from './jid.js';

/** One WhatsApp message worth journaling, in the terms the channel layer uses. */
export interface WhatsAppInbound {
  /** Baileys `key.id`: with the chat JID, the platform's identity of the message. */
  readonly messageId: string;
  /** The conversation: the peer's JID in a DM, the group's JID in a group. */
  readonly chatJid: string;
  /** Who wrote it (the participant in a group). */
  readonly senderJid: string;
  /** The sender's number when WhatsApp shows it (null for hidden `@lid` senders). */
  readonly senderE164: string | null;
  readonly senderName: string | null;
  readonly isGroup: boolean;
  readonly text: string;
  /** Seconds since the epoch, as WhatsApp stamps it. */
  readonly timestamp: number;
  /** JIDs mentioned in the text (group mention gating). */
  readonly mentionedJids: readonly string[];
  /** The message this one quotes, if any. */
  readonly replyTo: { readonly id: string; readonly senderJid: string | null } | null;
  /** What Baileys needs to mark it read. */
  readonly key: { readonly remoteJid: string; readonly id: string; readonly participant?: string };
}

const MEDIA_KINDS = [
  ['imageMessage', 'image'], ['videoMessage', 'video'], ['audioMessage', 'audio'],
  ['documentMessage', 'document'], ['stickerMessage', 'sticker'],
] as const;

/** Unwraps the containers WhatsApp puts around a message (ephemeral, view-once, edits). */
function innerMessage(message: proto.IMessage | null | undefined): proto.IMessage | null {
  let current = message ?? null;
  for (let depth = 0; current && depth < 4; depth += 1) {
    const wrapped = current.ephemeralMessage?.message ?? current.viewOnceMessage?.message ?? current.viewOnceMessageV2?.message ?? current.documentWithCaptionMessage?.message;
    if (!wrapped) break;
    current = wrapped;
  }
  return current;
}

/** The text of a message: its body, a media caption, or `<media:kind>` for captionless media. */
export function messageText(message: proto.IMessage | null | undefined): string {
  const inner = innerMessage(message);
  if (!inner) return '';
  if (inner.conversation) return inner.conversation;
  if (inner.extendedTextMessage?.text) return inner.extendedTextMessage.text;
  for (const [field, kind] of MEDIA_KINDS) {
    const media = inner[field] as { caption?: string | null } | null | undefined;
    if (media) return media.caption ? `${media.caption}\n<media:${kind}>` : `<media:${kind}>`;
  }
  return '';
}

function contextOf(message: proto.IMessage | null): proto.IContextInfo | null {
  if (!message) return null;
  return message.extendedTextMessage?.contextInfo ?? message.imageMessage?.contextInfo ?? message.videoMessage?.contextInfo ?? message.documentMessage?.contextInfo ?? null;
}

/**
 * The messages of one `messages.upsert` that are conversations for the agent: `notify` and
 * `append` only, never our own (`fromMe`), status or broadcast posts, protocol stubs or empty ones.
 */
export function inboundMessages(upsert: { readonly type: string; readonly messages: readonly WAMessage[] }): WhatsAppInbound[] {
  if (upsert.type !== 'notify' && upsert.type !== 'append') return [];
  const out: WhatsAppInbound[] = [];
  for (const message of upsert.messages) {
    const { key } = message;
    const chatJid = key.remoteJid;
    if (!chatJid || !key.id || key.fromMe || isBroadcastJid(chatJid)) continue;
    if (message.message?.protocolMessage || message.message?.reactionMessage) continue;
    const text = messageText(message.message);
    if (!text) continue;
    const isGroup = isGroupJid(chatJid);
    const senderJid = bareJid(isGroup ? (key.participant ?? chatJid) : chatJid);
    const altSender = isGroup ? key.participantAlt : key.remoteJidAlt;
    const context = contextOf(innerMessage(message.message));
    const stamp = message.messageTimestamp;
    out.push({
      messageId: key.id,
      chatJid,
      senderJid,
      senderE164: jidToE164(senderJid) ?? jidToE164(altSender),
      senderName: message.pushName ?? null,
      isGroup,
      text,
      timestamp: typeof stamp === 'number' ? stamp : stamp ? Number(stamp) : 0,
      mentionedJids: context?.mentionedJid ?? [],
      replyTo: context?.stanzaId ? { id: context.stanzaId, senderJid: context.participant ?? null } : null,
      key: { remoteJid: chatJid, id: key.id, ...(key.participant ? { participant: key.participant } : {}) },
    });
  }
  return out;
}
