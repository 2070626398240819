import type { AnyMessageContent } from '@whiskeysockets/baileys';
import type { WaSocket } from './socket.js';

/** What a send delivered: WhatsApp's message id per part, in order. */
export interface WhatsAppDelivery {
  readonly toJid: string;
  readonly messageIds: readonly string[];
}

const IMAGE = /\.(jpe?g|png|webp|gif)(\?|#|$)/i;
const VIDEO = /\.(mp4|mov|3gp)(\?|#|$)/i;
const AUDIO = /\.(mp3|ogg|opus|m4a|aac|wav)(\?|#|$)/i;

/** The Baileys message for a media URL (Baileys fetches it): image, video, audio or a document. */
export function mediaContent(url: string, caption?: string): AnyMessageContent {
  const withCaption = caption ? { caption } : {};
  if (IMAGE.test(url)) return { image: { url }, ...withCaption };
  if (VIDEO.test(url)) return { video: { url }, ...withCaption };
  if (AUDIO.test(url)) return { audio: { url } };
  const fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'file');
  return { document: { url }, mimetype: 'application/octet-stream', fileName, ...withCaption };
}

/**
 * Sends the chunks (and media, first, captioned with the first chunk when it fits) one after the
 * other; a part counts as sent only when Baileys returns its message id.
 */
export async function sendWhatsApp(socket: WaSocket, toJid: string, chunks: readonly string[], mediaUrl?: string): Promise<WhatsAppDelivery> {
  const ids: string[] = [];
  const send = async (content: AnyMessageContent) => {
    const sent = await socket.sendMessage(toJid, content);
    const id = sent?.key.id;
    if (!id) throw new Error(`WhatsApp returned no message id for a send to ${toJid}`);
    ids.push(id);
    return sent;
  };
  let rest = chunks;
  if (mediaUrl) {
    const first = chunks[0];
    const captioned = first !== undefined && first.length <= 1024 && !AUDIO.test(mediaUrl);
    await send(mediaContent(mediaUrl, captioned ? first : undefined));
    if (captioned) rest = chunks.slice(1);
  }
  for (const text of rest) await send({ text });
  return { toJid, messageIds: ids };
}
