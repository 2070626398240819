import { chunkText } from '../../machines/channel-access.js';
import type { ChannelAccount } from './account.js';
import { ChannelSendError, type ChannelTarget, type SentMessage } from './contract.js';

/*
 * `send` / `message.action` through one account (CHANNELS.md §3.3): idempotent through the
 * journal. Each platform message is `channel.delivery.sent` the moment the platform returns its
 * id, and the whole result `channel.send.completed`; a retry with the same key gets that result
 * (or resumes after the chunks already delivered), a concurrent retry waits for the first.
 */

/** One outbound request, parsed. */
export interface OutboundRequest {
  readonly idempotencyKey: string;
  readonly target: ChannelTarget;
  readonly text: string;
  readonly mediaUrls: readonly string[];
  readonly html: boolean;
  readonly silent?: boolean;
  readonly replyToId?: string;
  readonly asVoice?: boolean;
  readonly forceDocument?: boolean;
  readonly contentType?: string;
}

const inflight = new WeakMap<ChannelAccount, Map<string, Promise<Record<string, unknown>>>>();

/** Sends (or answers from the journal) one request; the result is `{messageId, chatId, …}`. */
export function sendThrough(account: ChannelAccount, request: OutboundRequest): Promise<Record<string, unknown>> {
  const done = account.state().sends[request.idempotencyKey];
  if (done) return Promise.resolve(done);
  let running = inflight.get(account);
  if (!running) inflight.set(account, (running = new Map()));
  const existing = running.get(request.idempotencyKey);
  if (existing) return existing;
  const work = deliver(account, request).finally(() => running.delete(request.idempotencyKey));
  running.set(request.idempotencyKey, work);
  return work;
}

async function deliver(account: ChannelAccount, request: OutboundRequest): Promise<Record<string, unknown>> {
  const { journal } = account.journalHandle();
  const key = `send:${request.idempotencyKey}`;
  const adapter = await account.adapter();
  const chunks = request.text.length > 0 ? chunkText(request.text, account.config.textChunkLimit) : [];
  const parts = chunks.length + request.mediaUrls.length;
  const sent: SentMessage[] = [];
  const delivered = account.state().deliveries[key] ?? {};
  let last: SentMessage | null = null;
  const record = (index: number, message: SentMessage) => {
    const result = journal.appendNow(account.stream, [
      { type: 'channel.delivery.sent', data: { key, chatId: message.chatId, messageIds: [message.messageId], chunk: index, chunks: parts } },
    ]);
    if (!result.ok) throw new Error(`append refused: ${result.reason}`);
  };
  for (const [index, chunk] of chunks.entries()) {
    const previous = delivered[index];
    if (previous?.[0]) {
      last = { messageId: previous[0], chatId: request.target.chatId };
      continue;
    }
    last = await wrap(() =>
      adapter.sendText({
        target: request.target,
        text: chunk,
        html: request.html,
        ...(request.silent ? { silent: true } : {}),
        ...(request.replyToId && index === 0 ? { replyToId: request.replyToId } : {}),
      }),
    );
    record(index, last);
    sent.push(last);
  }
  for (const [offset, url] of request.mediaUrls.entries()) {
    const index = chunks.length + offset;
    const previous = delivered[index];
    if (previous?.[0]) {
      last = { messageId: previous[0], chatId: request.target.chatId };
      continue;
    }
    if (!adapter.sendMedia) throw new ChannelSendError(`${account.definition.label} cannot send media`, 'invalid');
    last = await wrap(() =>
      adapter.sendMedia!({
        target: request.target,
        url,
        ...(request.contentType ? { contentType: request.contentType } : {}),
        ...(request.asVoice ? { asVoice: true } : {}),
        ...(request.forceDocument ? { forceDocument: true } : {}),
      }),
    );
    record(index, last);
  }
  if (!last) throw new ChannelSendError('invalid send params: text or media is required', 'invalid');
  const result: Record<string, unknown> = { messageId: last.messageId, chatId: last.chatId, ...(last.extra ?? {}) };
  const appended = await journal.append(account.stream, [{ type: 'channel.send.completed', data: { idempotencyKey: request.idempotencyKey, result } }]);
  if (!appended.ok) throw new Error(`append refused: ${appended.reason}`);
  return result;
}

/** Platform failures become the official `OutboundDeliveryError` (UNAVAILABLE, OUTBOUND_DELIVERY_QUEUED). */
async function wrap(send: () => Promise<SentMessage>): Promise<SentMessage> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof ChannelSendError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ChannelSendError(`OutboundDeliveryError: ${message}`, 'unavailable', { code: 'OUTBOUND_DELIVERY_QUEUED' }, { cause: error });
  }
}
