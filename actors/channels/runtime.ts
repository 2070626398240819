import type { AnyActorRef } from 'xstate';
import type { DmScope } from '../../machines/session-routing.js';
import type { GatewayFileConfig } from '../../protocol/config.js';
import type { JournalEntry } from '../../store/journal.js';
import type { RunService } from '../agents/run-service.js';
import type { GatewayServices } from '../gateway/methods/context.js';
import { subsystemLogger, type Logger } from '../logs/logger.js';
import { ChannelAccount, type AccountDeps } from './account.js';
import type { ChannelAccountConfig, ChannelDefinition, DefinitionContext } from './contract.js';
import { CHANNEL_DEFINITIONS } from './registry.js';

/** What the channels module is built with (resolved by bin/). */
export interface ChannelsOptions {
  readonly config: GatewayFileConfig;
  readonly runs: () => RunService;
  readonly stateDir: string;
  readonly configPath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a credential of the config through the secrets snapshot (SecretRefs, `${NAME}`). */
  readonly secret?: DefinitionContext['secret'];
}

const STOP_GRACE_MS = 3000;

/**
 * The channel accounts of one gateway: one `ChannelAccount` per configured account, started when
 * enabled and configured (and not stopped by an operator). A config change restarts only the
 * accounts whose resolved settings changed, and starts or retires the others.
 */
export class ChannelRuntime {
  private readonly accounts = new Map<string, ChannelAccount>();
  private config: GatewayFileConfig;
  private readonly logger: Logger;
  private readonly deps: AccountDeps;
  private stopping = false;

  constructor(
    private readonly services: GatewayServices,
    private readonly options: ChannelsOptions,
  ) {
    this.config = options.config;
    this.logger = subsystemLogger(services.logger, 'channels');
    this.deps = {
      journal: services.journal,
      logger: this.logger,
      runs: options.runs,
      stateDir: options.stateDir,
      dmScope: () => (this.config.session?.dmScope ?? 'main') as DmScope,
      defaultAgentId: services.defaultAgentId,
      now: () => services.now(),
      random: Math.random,
      changed: () => services.refreshHealth(),
      linkState: (channel, accountId, state) => {
        if (state === null) services.metrics.channelLinks.remove(channel, accountId);
        else services.metrics.channelLinks.set(channel, accountId, state);
      },
      inspectOptions: () => services.inspectOptions(),
    };
    services.journal.onCommit((entries) => this.committed(entries));
  }

  get context(): DefinitionContext {
    const { stateDir, configPath, env, secret } = this.options;
    return { stateDir, configPath, logger: this.logger, env, ...(secret ? { secret } : {}) };
  }

  /** The config the runtime runs with now. */
  currentConfig(): GatewayFileConfig {
    return this.config;
  }

  private committed(entries: readonly JournalEntry[]): void {
    for (const entry of entries) {
      if (!entry.stream.startsWith('channel:')) continue;
      this.accounts.get(entry.stream)?.committed(entry);
    }
  }

  /** Channels whose section is in the config, in registry order. */
  configuredChannels(): ChannelDefinition[] {
    return CHANNEL_DEFINITIONS.filter((d) => d.isConfigured(this.config));
  }

  private resolved(config: GatewayFileConfig): ChannelAccountConfig[] {
    return CHANNEL_DEFINITIONS.filter((d) => d.isConfigured(config)).flatMap((d) => [...d.accounts(config, this.context)]);
  }

  /** Accounts of one channel, in config order. */
  accountsOf(channel: string): ChannelAccount[] {
    return [...this.accounts.values()].filter((a) => a.config.channel === channel);
  }

  /** One account, or undefined. */
  account(channel: string, accountId: string): ChannelAccount | undefined {
    return this.accounts.get(`channel:${channel}:${accountId}`);
  }

  /** The link actors, for the inspector. */
  actors(): AnyActorRef[] {
    return [...this.accounts.values()].map((a) => a.linkActor());
  }

  private create(config: ChannelAccountConfig): ChannelAccount | undefined {
    const definition = CHANNEL_DEFINITIONS.find((d) => d.id === config.channel);
    if (!definition) return undefined;
    const account = new ChannelAccount(definition, config, this.deps);
    this.accounts.set(account.stream, account);
    return account;
  }

  /** Starts an account when it may run; says why not otherwise. */
  async startAccount(account: ChannelAccount, force = false): Promise<{ status: 'handed-off' } | { status: 'skipped'; reason: string }> {
    if (!account.config.enabled) return { status: 'skipped', reason: 'disabled' };
    if (!account.config.configured) return { status: 'skipped', reason: 'unconfigured' };
    const blocker = account.definition.startBlocker?.(account.config);
    if (blocker) return { status: 'skipped', reason: blocker };
    if (!force && account.manuallyStopped()) return { status: 'skipped', reason: 'manual-stop' };
    await account.start();
    return { status: 'handed-off' };
  }

  /** Creates every configured account and starts those that may run. */
  async start(): Promise<void> {
    for (const config of this.resolved(this.config)) {
      const account = this.create(config);
      if (!account) continue;
      await this.startAccount(account).catch((error: unknown) => this.logger.error(`${account.stream}: start failed`, { error: String(error) }));
    }
    this.services.refreshHealth();
  }

  /** Applies a changed config: restarts only the accounts whose settings changed. */
  async reconfigure(config: GatewayFileConfig): Promise<void> {
    if (this.stopping) return;
    this.config = config;
    const next = new Map<string, ChannelAccountConfig>(this.resolved(config).map((c) => [`channel:${c.channel}:${c.accountId}`, c]));
    for (const [stream, account] of [...this.accounts]) {
      const wanted = next.get(stream);
      if (wanted && wanted.fingerprint === account.config.fingerprint) {
        next.delete(stream);
        continue;
      }
      this.accounts.delete(stream);
      await account.retire('config', STOP_GRACE_MS);
      this.logger.info(`${stream}: ${wanted ? 'settings changed, restarting' : 'removed from the config, stopped'}`);
    }
    for (const config_ of next.values()) {
      const account = this.create(config_);
      if (account) await this.startAccount(account).catch((error: unknown) => this.logger.error(`${account.stream}: start failed`, { error: String(error) }));
    }
    this.services.refreshHealth();
  }

  /** Stops every account (gateway drain). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.accounts.values()].map((a) => a.retire('gateway', STOP_GRACE_MS)));
  }
}
