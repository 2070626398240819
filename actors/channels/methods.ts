import { PAIRING_LIMITS } from '../../machines/channel-access.js';
import type {
  ChannelAccountParams, ChannelsStatusParams, MessageActionParams, PairingApproveParams, PairingDismissParams, PairingListParams, SendParams,
} from '../../protocol/methods/channels.js';
import { pendingPairing } from '../../store/channel-account.js';
import { readConfigFile } from '../config/file.js';
import { ERRORS } from '../../protocol/errors.js';
import { MethodError as BaseMethodError, type MethodHandler } from '../gateway/methods/context.js';
import type { ChannelAccount } from './account.js';
import { ChannelSendError, type ChannelDefinition } from './contract.js';
import { sendThrough } from './outbound.js';
import { APPROVAL_NOTICE, pairingListEntry } from './pairing.js';
import { channelDefinition, CHANNEL_DEFINITIONS } from './registry.js';
import type { ChannelRuntime } from './runtime.js';
import { accountIssues, accountSnapshot, type StatusIssue } from './status.js';
import type { CHANNEL_METHODS } from './method-names.js';

/** A method error whose message defaults to the catalogue's. */
class MethodError extends BaseMethodError {
  constructor(key: keyof typeof ERRORS, message?: string, details?: unknown) {
    super(key, message ?? ERRORS[key].message, details);
  }
}


const PROBE_CONCURRENCY = 5;
const SUMMARY_KEYS = ['configured', 'running', 'lastStartAt', 'lastStopAt', 'lastError', 'tokenSource', 'lastProbeAt', 'mode', 'probe', 'linked', 'statusState', 'self', 'connected'];

/** Converts a channel's send refusal to its catalogue error. */
function sendFailure(error: unknown): unknown {
  if (!(error instanceof ChannelSendError)) return error;
  if (error.kind === 'not-linked') return new MethodError('CHANNEL_NOT_LINKED', error.message, error.details);
  if (error.kind === 'unavailable') return new MethodError('OUTBOUND_DELIVERY_QUEUED', error.message, error.details ?? { code: 'OUTBOUND_DELIVERY_QUEUED' });
  if (/text or media is required/.test(error.message)) return new MethodError('SEND_CONTENT_REQUIRED', error.message);
  return new MethodError('CHANNEL_TARGET_INVALID', error.message, error.details);
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function withTimeout<T>(work: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback()), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A send request after channel, account and target resolution. */
interface SendInput {
  readonly to: string;
  readonly idempotencyKey: string;
  readonly channel?: string | undefined;
  readonly accountId?: string | undefined;
  readonly text: string;
  readonly mediaUrls: readonly string[];
  readonly threadId?: string | undefined;
  readonly replyToId?: string | undefined;
  readonly silent?: boolean | undefined;
  readonly html?: boolean | undefined;
  readonly asVoice?: boolean | undefined;
  readonly forceDocument?: boolean | undefined;
  readonly contentType?: string | undefined;
}

/** The channel method handlers over a runtime (loaded on first use). */
export function channelMethods(runtime: () => Promise<ChannelRuntime>): Record<(typeof CHANNEL_METHODS)[number], MethodHandler> {
  const defaultAccount = (rt: ChannelRuntime, definition: ChannelDefinition, accountId: string | undefined): string =>
    accountId?.trim() || definition.defaultAccountId(rt.currentConfig());

  const resolveChannel = (rt: ChannelRuntime, channel: string | undefined, to: string): { definition: ChannelDefinition; to: string } => {
    let id = channel?.trim().toLowerCase();
    let target = to.trim();
    const prefixed = CHANNEL_DEFINITIONS.find((d) => d.targetPrefixes.some((p) => target.toLowerCase().startsWith(p)));
    if (!id && prefixed) id = prefixed.id;
    if (!id) {
      const configured = rt.configuredChannels();
      if (configured.length === 1) id = configured[0]?.id;
      else if (configured.length === 0) throw new MethodError('CHANNEL_REQUIRED');
      else throw new MethodError('CHANNEL_REQUIRED', `Error: Channel is required when several channels are configured (${configured.map((d) => d.id).join(', ')}).`);
    }
    if (id === 'webchat') {
      throw new MethodError('CHANNEL_UNSUPPORTED', 'unsupported channel: webchat (internal-only). Use `chat.send` for WebChat UI messages or choose a deliverable channel.');
    }
    const definition = id ? channelDefinition(id) : undefined;
    if (!definition) throw new MethodError('CHANNEL_UNSUPPORTED', `unsupported channel: ${id ?? channel ?? ''}`);
    const prefix = definition.targetPrefixes.find((p) => target.toLowerCase().startsWith(p));
    if (prefix) target = target.slice(prefix.length);
    return { definition, to: target };
  };

  const send = async (input: SendInput): Promise<{ channel: string; result: Record<string, unknown> }> => {
    const rt = await runtime();
    const { definition, to } = resolveChannel(rt, input.channel, input.to);
    if (input.text.length === 0 && input.mediaUrls.length === 0) throw new MethodError('SEND_CONTENT_REQUIRED');
    const accountId = defaultAccount(rt, definition, input.accountId);
    const account = rt.account(definition.id, accountId);
    if (!account) {
      if (definition.isConfigured(rt.currentConfig()) && input.accountId) {
        throw new MethodError('CHANNEL_ACCOUNT_UNKNOWN', `MessageActionDeniedError: Unknown account "${accountId}" for channel ${definition.id}.`);
      }
      throw sendFailure(definition.unavailableReason(undefined, accountId));
    }
    if (!account.config.configured) throw sendFailure(definition.unavailableReason(account.config, accountId));
    try {
      const parsed = definition.parseTarget(to);
      const target = input.threadId ? { ...parsed, threadId: input.threadId } : parsed;
      const result = await sendThrough(account, {
        idempotencyKey: input.idempotencyKey, target, text: input.text, mediaUrls: input.mediaUrls, html: input.html === true,
        ...(input.silent ? { silent: true } : {}), ...(input.replyToId ? { replyToId: input.replyToId } : {}),
        ...(input.asVoice ? { asVoice: true } : {}), ...(input.forceDocument ? { forceDocument: true } : {}),
        ...(input.contentType ? { contentType: input.contentType } : {}),
      });
      return { channel: definition.id, result };
    } catch (error) {
      throw sendFailure(error);
    }
  };

  const accountFor = async (channel: string, accountId: string | undefined, method: string) => {
    const rt = await runtime();
    const definition = channelDefinition(channel);
    if (!definition) throw new MethodError(method === 'channels.logout' ? 'CHANNEL_LOGOUT_INVALID' : 'CHANNEL_UNKNOWN', `invalid ${method} channel`);
    const id = defaultAccount(rt, definition, accountId);
    return { rt, definition, accountId: id, account: rt.account(definition.id, id) };
  };

  const pairingAccount = async (channel: string, accountId: string): Promise<ChannelAccount> => {
    const rt = await runtime();
    const definition = channelDefinition(channel);
    if (!definition) throw new MethodError('PAIRING_CHANNEL_UNKNOWN', `Error: unknown pairing channel: ${channel}`);
    const account = rt.account(definition.id, accountId);
    if (!account) throw new MethodError('CHANNEL_ACCOUNT_UNKNOWN', `MessageActionDeniedError: Unknown account "${accountId}" for channel ${definition.id}.`);
    return account;
  };

  const pendingRequest = (account: ChannelAccount, requestId: string, now: number) => {
    const request = pendingPairing(account.state(), now).find((r) => r.requestId === requestId);
    if (!request) throw new MethodError('PAIRING_REQUEST_UNKNOWN');
    return request;
  };

  return {
    'channels.status': async ({ services }, raw) => {
      const params = raw as ChannelsStatusParams;
      const rt = await runtime();
      let definitions = rt.configuredChannels();
      if (params.channel !== undefined) {
        const one = channelDefinition(params.channel);
        if (!one) throw new MethodError('CHANNEL_UNKNOWN', `unknown channel: ${params.channel}`);
        definitions = [one];
      }
      const timeoutMs = clamp(params.timeoutMs ?? (params.probe ? 30_000 : 10_000), 1000, 30_000);
      const channels: Record<string, unknown> = {};
      const channelAccounts: Record<string, Array<Record<string, unknown>>> = {};
      const issues: StatusIssue[] = [];
      for (const definition of definitions) {
        const accounts = rt.accountsOf(definition.id);
        const snapshots = await pool(accounts, PROBE_CONCURRENCY, async (account) => {
          if (!params.probe || !account.config.enabled || !account.config.configured) return accountSnapshot(account);
          const adapter = await account.adapter();
          if (!adapter.probe) return accountSnapshot(account);
          const probe = await withTimeout(adapter.probe(timeoutMs), timeoutMs, () => ({ ok: false, status: null, error: `timeout after ${timeoutMs}ms`, elapsedMs: timeoutMs }));
          return accountSnapshot(account, { probe, lastProbeAt: services.now() });
        });
        accounts.forEach((account, i) => issues.push(...accountIssues(account, snapshots[i] ?? {}), ...(definition.statusIssues?.(account.config, snapshots[i] ?? {}) ?? [])));
        channelAccounts[definition.id] = snapshots;
        const defaultId = definition.defaultAccountId(rt.currentConfig());
        const main = snapshots.find((s) => s.accountId === defaultId) ?? snapshots[0] ?? { configured: false, running: false };
        channels[definition.id] = definition.summary?.(main) ?? Object.fromEntries(SUMMARY_KEYS.filter((k) => k in main).map((k) => [k, main[k]]));
      }
      return {
        ts: services.now(),
        channelOrder: definitions.map((d) => d.id),
        channelLabels: Object.fromEntries(definitions.map((d) => [d.id, d.label])),
        channelDetailLabels: Object.fromEntries(definitions.map((d) => [d.id, d.detailLabel])),
        channelSystemImages: Object.fromEntries(definitions.map((d) => [d.id, d.systemImage])),
        channelMeta: definitions.map((d) => ({ id: d.id, label: d.label, detailLabel: d.detailLabel, systemImage: d.systemImage })),
        channels,
        channelAccounts,
        channelDefaultAccountId: Object.fromEntries(definitions.map((d) => [d.id, d.defaultAccountId(rt.currentConfig())])),
        ...(issues.length > 0 ? { statusIssues: issues.slice(0, 50) } : {}),
      };
    },

    'channels.start': async (_context, raw) => {
      const params = raw as ChannelAccountParams;
      const { rt, definition, accountId, account } = await accountFor(params.channel, params.accountId, 'channels.start');
      if (!account) return { channel: definition.id, accountId, started: false, outcome: { status: 'skipped', reason: 'unconfigured' } };
      const outcome = await rt.startAccount(account, true);
      return { channel: definition.id, accountId, started: outcome.status === 'handed-off', outcome };
    },

    'channels.stop': async (_context, raw) => {
      const params = raw as ChannelAccountParams;
      const { definition, accountId, account } = await accountFor(params.channel, params.accountId, 'channels.stop');
      await account?.stop('operator');
      return { channel: definition.id, accountId, stopped: true };
    },

    'channels.logout': async (_context, raw) => {
      const params = raw as ChannelAccountParams;
      const { rt, definition, accountId, account } = await accountFor(params.channel, params.accountId, 'channels.logout');
      if (readConfigFile(rt.context.configPath).kind === 'invalid') throw new MethodError('CHANNEL_CONFIG_INVALID');
      if (!account) return { channel: definition.id, accountId, cleared: false, loggedOut: false };
      await account.stop('config');
      const outcome = await definition.logout(account.config, rt.context);
      return { channel: definition.id, accountId, ...outcome, cleared: outcome.cleared };
    },

    send: async (_context, raw) => {
      const params = raw as SendParams;
      const { channel, result } = await send({
        to: params.to, idempotencyKey: params.idempotencyKey, channel: params.channel, accountId: params.accountId,
        text: params.message ?? '', mediaUrls: [...(params.mediaUrl ? [params.mediaUrl] : []), ...(params.mediaUrls ?? [])],
        threadId: params.threadId !== undefined ? String(params.threadId) : undefined, replyToId: params.replyToId, silent: params.silent,
        html: params.parseMode === 'HTML', asVoice: params.asVoice, forceDocument: params.forceDocument, contentType: params.contentType,
      });
      return { runId: params.idempotencyKey, ...result, channel };
    },

    'message.action': async (_context, raw) => {
      const params = raw as MessageActionParams;
      if (params.action !== 'send') throw new MessageActionError(params.action);
      const p = params.params;
      const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined);
      const to = str(p.to) ?? str(p.target);
      if (!to) throw new MethodError('CHANNEL_TARGET_INVALID', 'message.action send needs params.to or params.target');
      const media = [str(p.media), str(p.mediaUrl)].filter((m): m is string => m !== undefined);
      const { result } = await send({
        to, idempotencyKey: params.idempotencyKey, channel: params.channel, accountId: params.accountId ?? str(p.accountId),
        text: str(p.message) ?? '', mediaUrls: media, threadId: str(p.threadId), replyToId: str(p.replyTo), silent: p.silent === true,
        forceDocument: p.forceDocument === true,
      });
      return { ok: true, ...result, receipt: {} };
    },

    'channels.pairing.list': async ({ services }, raw) => {
      const params = raw as PairingListParams;
      const rt = await runtime();
      if (params.channel !== undefined && !channelDefinition(params.channel)) {
        throw new MethodError('PAIRING_CHANNEL_UNKNOWN', `Error: unknown pairing channel: ${params.channel}`);
      }
      const now = services.now();
      const accounts = rt
        .configuredChannels()
        .filter((d) => params.channel === undefined || d.id === params.channel.trim().toLowerCase())
        .flatMap((d) => rt.accountsOf(d.id))
        .filter((a) => a.config.configured && a.config.dmPolicy === 'pairing' && (params.accountId === undefined || a.config.accountId === params.accountId));
      return {
        accounts: accounts.map((a) => ({ channel: a.config.channel, channelLabel: a.definition.label, accountId: a.config.accountId, notifySupported: a.definition.notifySupported })),
        requests: accounts.flatMap((a) =>
          pendingPairing(a.state(), now).map((r) => pairingListEntry(r, a.config.channel, a.definition.label, a.config.accountId, a.definition.pairingSenderLabel, a.definition.notifySupported)),
        ),
        commandOwnerConfigured: false,
        limits: { ...PAIRING_LIMITS },
      };
    },

    'channels.pairing.approve': async ({ services }, raw) => {
      const params = raw as PairingApproveParams;
      const account = await pairingAccount(params.channel, params.accountId);
      const request = pendingRequest(account, params.requestId, services.now());
      const appended = await services.journal.append(account.stream, [{ type: 'channel.pairing.approved', data: { requestId: request.requestId, senderId: request.senderId } }]);
      if (!appended.ok) throw new Error(`append refused: ${appended.reason}`);
      let notification = 'not-requested';
      if (params.notify) {
        if (!account.definition.notifySupported) notification = 'unsupported';
        else {
          try {
            const adapter = await account.adapter();
            const sent = await adapter.sendText({ target: { chatId: request.senderId }, text: APPROVAL_NOTICE });
            services.journal.appendNow(account.stream, [
              { type: 'channel.delivery.sent', data: { key: `notice:${request.requestId}`, chatId: sent.chatId, messageIds: [sent.messageId], chunk: 0, chunks: 1 } },
            ]);
            notification = 'sent';
          } catch (error) {
            services.logger.warn(`pairing approval notice to ${request.senderId} failed`, { error: String(error) });
            notification = 'failed';
          }
        }
      }
      return { requestId: request.requestId, senderId: request.senderId, notification, commandOwnerBootstrap: params.bootstrapCommandOwner ? 'unavailable' : 'not-requested' };
    },

    'channels.pairing.dismiss': async ({ services }, raw) => {
      const params = raw as PairingDismissParams;
      const account = await pairingAccount(params.channel, params.accountId);
      const request = pendingRequest(account, params.requestId, services.now());
      const appended = await services.journal.append(account.stream, [{ type: 'channel.pairing.dismissed', data: { requestId: request.requestId, senderId: request.senderId } }]);
      if (!appended.ok) throw new Error(`append refused: ${appended.reason}`);
      return { requestId: request.requestId, senderId: request.senderId };
    },
  };
}

/** `message.action` with an action this gateway does not perform. */
class MessageActionError extends BaseMethodError {
  constructor(action: string) {
    super('MESSAGE_ACTION_UNSUPPORTED', `unsupported message action: ${action}`);
  }
}
