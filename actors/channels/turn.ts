import { chunkText } from '../../machines/channel-access.js';
import { ERRORS } from '../../protocol/errors.js';
import type { Fact } from '../../protocol/facts.js';
import type { ChannelAccountState, OpenInbound } from '../../store/channel-account.js';
import type { RunOutcome, RunService } from '../agents/run-service.js';
import type { Logger } from '../logs/logger.js';
import type { ChannelAccountAdapter, ChannelAccountConfig, ChannelTarget } from './contract.js';

/*
 * One inbound message's agent turn and its reply (CHANNELS.md §4.1): journal the turn, start the
 * run, show typing every ~4 s, in `partial` mode keep a preview message edited about once a second,
 * then deliver the reply in chunks, each journaled with its platform message id the moment the
 * platform returns it. A resumed turn (after a crash) reuses a finished run and skips the chunks
 * already delivered; a run cut off by the crash is started again under a new run id.
 */

export const TYPING_INTERVAL_MS = 4000;
export const PREVIEW_EDIT_INTERVAL_MS = 1000;

/** What a turn needs from its account. */
export interface TurnHost {
  readonly account: ChannelAccountConfig;
  readonly logger: Logger;
  state(): ChannelAccountState;
  adapter(): Promise<ChannelAccountAdapter>;
  runs(): RunService;
  /** Appends to the account stream; resolves once committed. */
  append(facts: Fact[]): Promise<void>;
  /** Appends and commits now (right after a platform call returned ids). */
  appendNow(facts: Fact[]): void;
  /** Run id of the next attempt of a turn. */
  runIdFor(inboundId: string, attempt: number): string;
}

const isInterrupted = (outcome: RunOutcome): boolean => outcome.status === 'error' && outcome.error?.message === ERRORS.RUN_INTERRUPTED.message;

/** The text a run's outcome puts in the chat. */
export function replyText(outcome: RunOutcome): string {
  if (outcome.status === 'ok') return outcome.text.trim();
  if (outcome.status === 'aborted') return outcome.text.trim();
  return `⚠️ ${outcome.error?.message ?? 'The agent run failed.'}`;
}

/** Runs (or resumes) the turn of an open inbound message, then delivers its reply. */
export async function runTurn(host: TurnHost, open: OpenInbound, sessionKey: string): Promise<void> {
  const { message } = open;
  const target: ChannelTarget = { chatId: message.chatId, ...(message.threadId ? { threadId: message.threadId } : {}) };
  const previous = open.runIds.at(-1);
  if (previous) {
    const outcome = await host.runs().wait(previous, 1);
    if (outcome && !isInterrupted(outcome)) {
      await deliver(host, open, previous, outcome, target, null);
      return;
    }
  }
  const runId = host.runIdFor(message.id, open.runIds.length + 1);
  await host.append([{ type: 'channel.turn.started', data: { id: message.id, runId, sessionKey } }]);
  const adapter = await host.adapter();
  const typing = startTyping(host, adapter, target);
  const preview = host.account.streaming === 'partial' && adapter.editText ? new Preview(host, adapter, target, runId) : null;
  try {
    await host.runs().start({
      message: message.text,
      idempotencyKey: runId,
      sessionKey,
      origin: 'channel',
      via: host.account.channel,
      channel: host.account.channel,
      accountId: host.account.accountId,
      to: message.senderId,
    });
    const outcome = await new Promise<RunOutcome>((resolve) => {
      const unsubscribe = host.runs().subscribe(runId, (event) => {
        if (event.kind === 'delta') preview?.update(event.text);
        else {
          unsubscribe();
          resolve(event.outcome);
        }
      });
    });
    await preview?.settled();
    typing.stop();
    await deliver(host, open, runId, outcome, target, preview?.messageId ?? null);
  } finally {
    typing.stop();
  }
}

/** Sends the chunks not delivered yet, journals each, then closes the inbound message. */
async function deliver(host: TurnHost, open: OpenInbound, runId: string, outcome: RunOutcome, target: ChannelTarget, previewId: string | null): Promise<void> {
  const text = replyText(outcome);
  const chunks = text.length > 0 ? chunkText(text, host.account.textChunkLimit) : [];
  const key = `reply:${runId}`;
  const adapter = await host.adapter();
  const ids: string[] = [];
  for (const [index, chunk] of chunks.entries()) {
    const done = host.state().deliveries[key]?.[index];
    if (done) {
      // A preview (partial streaming) is the first chunk: bring it to its final text.
      if (index === 0 && host.account.streaming === 'partial' && adapter.editText && done[0]) {
        await adapter.editText(target, done[0], chunk).catch((error: unknown) => host.logger.debug('preview edit failed', { error: String(error) }));
      }
      ids.push(...done);
      continue;
    }
    if (index === 0 && previewId) {
      ids.push(previewId);
      continue;
    }
    const sent = await adapter.sendText({ target, text: chunk });
    host.appendNow([{ type: 'channel.delivery.sent', data: { key, chatId: sent.chatId, messageIds: [sent.messageId], chunk: index, chunks: chunks.length } }]);
    ids.push(sent.messageId);
  }
  await host.append([{ type: 'channel.inbound.answered', data: { id: open.message.id, runId, messageIds: ids } }]);
}

/** `sendChatAction typing` at once and every ~4 s until stopped. */
function startTyping(host: TurnHost, adapter: ChannelAccountAdapter, target: ChannelTarget): { stop(): void } {
  if (!adapter.sendTyping) return { stop: () => undefined };
  const send = () => {
    adapter.sendTyping?.(target).catch((error: unknown) => host.logger.debug('typing failed', { error: String(error) }));
  };
  send();
  const timer = setInterval(send, TYPING_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}

/**
 * The `partial` preview: the first text is sent as a message (journaled as chunk 0 of the reply),
 * later text edits it at most once per PREVIEW_EDIT_INTERVAL_MS. Operations never overlap.
 */
class Preview {
  messageId: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private latest = '';
  private shown = '';
  private lastEditAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: TurnHost,
    private readonly adapter: ChannelAccountAdapter,
    private readonly target: ChannelTarget,
    private readonly runId: string,
  ) {}

  update(text: string): void {
    this.latest = text.slice(0, this.host.account.textChunkLimit);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = this.messageId === null ? 0 : Math.max(0, this.lastEditAt + PREVIEW_EDIT_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.flush()).catch((error: unknown) => this.host.logger.debug('preview failed', { error: String(error) }));
    }, wait);
  }

  private async flush(): Promise<void> {
    const text = this.latest.trim();
    if (text.length === 0 || text === this.shown) return;
    if (this.messageId === null) {
      const sent = await this.adapter.sendText({ target: this.target, text });
      this.messageId = sent.messageId;
      this.host.appendNow([{ type: 'channel.delivery.sent', data: { key: `reply:${this.runId}`, chatId: sent.chatId, messageIds: [sent.messageId], chunk: 0, chunks: 1 } }]);
    } else await this.adapter.editText?.(this.target, this.messageId, text);
    this.shown = text;
    this.lastEditAt = Date.now();
  }

  /** Waits for pending preview work (no new edits are scheduled after this). */
  async settled(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.chain;
  }
}
