import { createActor, type Actor, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate';
import { decideAccess, PAIRING_LIMITS } from '../../machines/channel-access.js';
import { channelLinkMachine, type LinkRecord } from '../../machines/channel-link.js';
import { resolveSession, type DmScope } from '../../machines/session-routing.js';
import { channelStream } from '../../protocol/channel-facts.js';
import type { Fact } from '../../protocol/facts.js';
import { channelAccountProjection, pendingPairing, rebuildChannelAccount, type ChannelAccountState } from '../../store/channel-account.js';
import type { Journal, JournalEntry } from '../../store/journal.js';
import type { RunService } from '../agents/run-service.js';
import type { Logger } from '../logs/logger.js';
import type { AdapterHost, ChannelAccountAdapter, ChannelAccountConfig, ChannelDefinition, InboundMessage } from './contract.js';
import { newPairingCode, pairingReplyHtml, pairingRequestId } from './pairing.js';
import { runTurn, type TurnHost } from './turn.js';

/** What every account of the gateway shares. */
export interface AccountDeps {
  readonly journal: Journal;
  readonly logger: Logger;
  readonly runs: () => RunService;
  readonly stateDir: string;
  readonly dmScope: () => DmScope;
  readonly defaultAgentId: string;
  readonly now: () => number;
  readonly random: () => number;
  /** Something status shows changed (link state): refresh health. */
  readonly changed: () => void;
  /** The link state of an account (metrics gauge); `null` when the account goes away. */
  readonly linkState: (channel: string, accountId: string, state: string | null) => void;
  readonly inspectOptions: () => { inspect?: Observer<InspectionEvent> };
}

/** Who stopped an account: an operator (stays stopped across reloads), a config change, the gateway. */
export type StopBy = 'operator' | 'config' | 'gateway';

/**
 * One channel account: its channel-link actor (`channel:<channel>:<accountId>`), its adapter
 * (loaded on first use), its journal stream and the projection folded from it. Inbound messages
 * are journaled first, then processed: policy, pairing or an agent turn, then the reply.
 */
export class ChannelAccount {
  readonly stream: string;
  private view: ChannelAccountState;
  private readonly actor: Actor<typeof channelLinkMachine>;
  private loaded: Promise<ChannelAccountAdapter> | null = null;
  private current: ChannelAccountAdapter | null = null;
  private linkOps: Promise<void> = Promise.resolve();
  private readonly admitting = new Set<string>();
  private readonly processing = new Map<string, Promise<void>>();
  private stopBy: StopBy = 'gateway';
  private lastActivityAt: number | null = null;
  private retired = false;

  constructor(
    readonly definition: ChannelDefinition,
    readonly config: ChannelAccountConfig,
    private readonly deps: AccountDeps,
  ) {
    this.stream = channelStream(config.channel, config.accountId);
    this.view = rebuildChannelAccount(deps.journal, this.stream);
    this.actor = createActor(
      channelLinkMachine.provide({
        actions: {
          openLink: () => this.linkOp((adapter) => adapter.open()),
          closeLink: () => this.linkOp((adapter) => adapter.close()),
          recordLink: (_, params) => this.recordLink(params),
        },
      }),
      { id: `channel:${config.channel}:${config.accountId}`, input: { channel: config.channel, accountId: config.accountId, policy: definition.linkPolicy }, ...deps.inspectOptions() },
    );
    this.actor.start();
  }

  /** The projection of this account's stream as of the last commit. */
  state(): ChannelAccountState {
    return this.view;
  }

  /** The journal this account appends to. */
  journalHandle(): { journal: Journal } {
    return { journal: this.deps.journal };
  }

  /** The link actor, for the inspector. */
  linkActor(): AnyActorRef {
    return this.actor;
  }

  linkState(): LinkRecord & { value: string } {
    const snapshot = this.actor.getSnapshot();
    const { attempts, lastError, lastCode, retryInMs } = snapshot.context;
    return { value: String(snapshot.value), state: String(snapshot.value) as LinkRecord['state'], attempts, error: lastError, code: lastCode, retryInMs };
  }

  lastTransportActivityAt(): number | null {
    return this.lastActivityAt;
  }

  /** Folds a committed entry of this account's stream. */
  committed(entry: JournalEntry): void {
    this.view = channelAccountProjection.fold(this.view, entry);
  }

  /** An operator stop that no later start undid: the account stays stopped across reloads and restarts. */
  manuallyStopped(): boolean {
    return this.view.link?.state === 'stopped' && this.view.link.by === 'operator';
  }

  /** The adapter, created on first use (this is where a channel's SDK is imported). */
  adapter(): Promise<ChannelAccountAdapter> {
    this.loaded ??= this.definition.createAdapter(this.adapterHost()).then((adapter) => (this.current = adapter));
    return this.loaded;
  }

  /** The adapter if it is loaded, for status. */
  loadedAdapter(): ChannelAccountAdapter | null {
    return this.current;
  }

  /** Starts the link and resumes every inbound message the journal holds open. */
  async start(): Promise<void> {
    await this.adapter();
    if (this.retired) return;
    this.actor.send({ type: 'link.start' });
    for (const id of Object.keys(this.view.open)) this.schedule(id);
  }

  /** Stops the link; resolves once the adapter has let go of the platform. */
  async stop(by: StopBy): Promise<void> {
    this.stopBy = by;
    if (this.actor.getSnapshot().value !== 'stopped') this.actor.send({ type: 'link.stop' });
    else if (by === 'operator' && !this.manuallyStopped()) this.recordLink({ state: 'stopped', attempts: 0, error: null, code: null, retryInMs: null });
    await this.linkOps;
  }

  /** Stops for good (config removed the account, gateway stopping): waits for turns in flight to settle. */
  async retire(by: StopBy, graceMs: number): Promise<void> {
    this.retired = true;
    await this.stop(by);
    const pending = [...this.processing.values()];
    if (pending.length > 0) await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.actor.stop();
    this.deps.linkState(this.config.channel, this.config.accountId, null);
  }

  private linkOp(op: (adapter: ChannelAccountAdapter) => void | Promise<void>): void {
    this.linkOps = this.linkOps
      .then(async () => {
        const adapter = await this.adapter();
        await op(adapter);
      })
      .catch((error: unknown) => this.deps.logger.error(`${this.stream}: link operation failed`, { error: String(error) }));
  }

  private recordLink(record: LinkRecord): void {
    this.deps.linkState(this.config.channel, this.config.accountId, record.state);
    const data = { ...record, ...(record.state === 'stopped' ? { by: this.stopBy } : {}) };
    if (record.state !== 'stopped') this.stopBy = 'gateway';
    this.deps.journal
      .append(this.stream, [{ type: 'channel.link.changed', data }])
      .then(() => this.deps.changed())
      .catch((error: unknown) => this.deps.logger.error(`${this.stream}: could not journal a link change`, { error: String(error) }));
    const where = `[${this.config.channel}] [${this.config.accountId}]`;
    if (record.state === 'blocked') this.deps.logger.error(`${where} link blocked: ${record.error ?? 'unknown error'}; auto-restart skipped, terminal disconnect`);
    else if (record.state === 'reconnecting') this.deps.logger.warn(`${where} link failed: ${record.error ?? ''}; retrying in ${record.retryInMs ?? 0} ms (attempt ${record.attempts})`);
    else this.deps.logger.info(`${where} link ${record.state}`);
  }

  private adapterHost(): AdapterHost {
    return {
      account: this.config,
      logger: this.deps.logger,
      stateDir: this.deps.stateDir,
      connected: () => this.actor.send({ type: 'link.connected' }),
      healthy: () => this.actor.send({ type: 'link.healthy' }),
      failed: (failure) => this.actor.send({ type: 'link.failed', ...failure, random: this.deps.random() }),
      inbound: (message) => this.admit(message),
      lastInboundId: () => this.view.lastInboundId,
      activity: () => {
        this.lastActivityAt = this.deps.now();
      },
    };
  }

  /** Journal first: the message is a fact before the adapter acknowledges it; then it is processed. */
  private async admit(message: InboundMessage): Promise<void> {
    if (this.view.seen.includes(message.id) || this.admitting.has(message.id)) return;
    this.admitting.add(message.id);
    try {
      const data = {
        id: message.id, chatId: message.chatId, chatType: message.chatType, senderId: message.senderId, text: message.text,
        messageId: message.messageId, mentioned: message.mentioned,
        ...(message.senderName ? { senderName: message.senderName } : {}),
        ...(message.username ? { username: message.username } : {}),
        ...(message.threadId ? { threadId: message.threadId } : {}),
        ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
      };
      const result = await this.deps.journal.append(this.stream, [{ type: 'channel.inbound.received', data }]);
      if (!result.ok) throw new Error(`inbound append refused: ${result.reason}`);
    } finally {
      this.admitting.delete(message.id);
    }
    this.deps.logger.info(`Inbound message ${this.config.channel}:${message.senderId} (${message.chatType}, ${message.text.length} chars)`);
    if (!this.retired) this.schedule(message.id);
  }

  private schedule(id: string): void {
    if (this.processing.has(id)) return;
    const work = this.process(id)
      .catch((error: unknown) => this.deps.logger.error(`${this.stream}: inbound ${id} failed`, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
      .finally(() => this.processing.delete(id));
    this.processing.set(id, work);
  }

  private append = async (facts: Fact[]): Promise<void> => {
    const result = await this.deps.journal.append(this.stream, facts);
    if (!result.ok) throw new Error(`append refused: ${result.reason}`);
  };

  private appendNow = (facts: Fact[]): void => {
    const result = this.deps.journal.appendNow(this.stream, facts);
    if (!result.ok) throw new Error(`append refused: ${result.reason}`);
  };

  /** One open inbound message: policy, then pairing or a turn. */
  private async process(id: string): Promise<void> {
    const open = this.view.open[id];
    if (!open) return;
    const { message } = open;
    const now = this.deps.now();
    const approved = new Set(Object.keys(this.view.approved));
    const decision = decideAccess(this.config, message, approved, pendingPairing(this.view, now), now);
    switch (decision.kind) {
      case 'ignore':
        await this.append([{ type: 'channel.inbound.ignored', data: { id, reason: decision.reason } }]);
        return;
      case 'pairing-seen':
        await this.append([
          { type: 'channel.pairing.seen', data: { requestId: decision.requestId, at: now } },
          { type: 'channel.inbound.ignored', data: { id, reason: 'pairing-pending' } },
        ]);
        return;
      case 'pairing-new':
        await this.requestPairing(id, now);
        return;
      case 'turn':
        await runTurn(this.turnHost(), open, this.sessionKeyOf(message));
    }
  }

  private async requestPairing(id: string, now: number): Promise<void> {
    const open = this.view.open[id];
    if (!open) return;
    const { message } = open;
    const requestId = pairingRequestId(this.config.channel, this.config.accountId, message.senderId, now);
    const code = newPairingCode();
    const meta = { ...(message.username ? { username: message.username } : {}), ...(message.senderName ? { firstName: message.senderName } : {}) };
    await this.append([
      { type: 'channel.pairing.requested', data: { requestId, code, senderId: message.senderId, meta, createdAt: now, expiresAt: now + PAIRING_LIMITS.ttlMs } },
    ]);
    try {
      const adapter = await this.adapter();
      const sent = await adapter.sendText({ target: { chatId: message.chatId }, text: pairingReplyHtml(this.config.channel, this.definition.pairingIdLabel, message.senderId, code), html: true });
      this.appendNow([{ type: 'channel.delivery.sent', data: { key: `pairing:${requestId}`, chatId: sent.chatId, messageIds: [sent.messageId], chunk: 0, chunks: 1 } }]);
    } catch (error) {
      this.deps.logger.warn(`${this.stream}: pairing reply to ${message.senderId} failed`, { error: String(error) });
    }
    await this.append([{ type: 'channel.inbound.ignored', data: { id, reason: 'pairing-requested' } }]);
  }

  /** The session a message's turn runs in (CHANNELS.md §2.4). */
  sessionKeyOf(message: { chatType: 'direct' | 'group'; chatId: string; senderId: string; threadId?: string }): string {
    const agentId = this.deps.defaultAgentId;
    if (message.chatType === 'group') {
      return `agent:${agentId}:${this.config.channel}:group:${message.chatId.toLowerCase()}${message.threadId ? `:topic:${message.threadId}` : ''}`;
    }
    return resolveSession({ to: message.senderId, channel: this.config.channel, accountId: this.config.accountId }, agentId, this.deps.dmScope()).sessionKey;
  }

  private turnHost(): TurnHost {
    return {
      account: this.config,
      logger: this.deps.logger,
      state: () => this.view,
      adapter: () => this.adapter(),
      runs: this.deps.runs,
      append: this.append,
      appendNow: this.appendNow,
      runIdFor: (inboundId, attempt) => `${this.config.channel}-${this.config.accountId}-${inboundId}-${attempt}`,
    };
  }
}
