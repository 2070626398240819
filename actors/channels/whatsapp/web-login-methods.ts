import { ERRORS } from '../../../protocol/errors.js';
import { MethodError, type MethodHandler } from '../../gateway/methods/context.js';
import type { WebLoginStartParams, WebLoginStartResult, WebLoginWaitParams, WebLoginWaitResult } from '../../../protocol/methods/web-login.js';
import type { ChannelAccountConfig } from '../contract.js';
import type { ChannelRuntime } from '../runtime.js';
import { WhatsAppAccountLockedError } from './auth-lock.js';
import { readAuthSummary } from './auth-store.js';
import { alreadyLinkedResult, WhatsAppLogin } from './login.js';
import { whatsappSocketFactory } from './definition.js';
import { createBaileysSocket, type WaSocketFactory } from './socket.js';
import type { WEB_LOGIN_METHODS } from '../method-names.js';

/*
 * `web.login.start` / `web.login.wait` (CHANNELS.md §3.6): a QR login of one WhatsApp account
 * inside the gateway, for the Control UI. The account's link is stopped while its login holds
 * the socket (one owner per account), and started again once the device is linked.
 *
 *   start ─▶ stop link ─▶ WhatsAppLogin.begin ─▶ first QR ─▶ {qrDataUrl}
 *   wait  ─▶ scan / refreshed QR / timeout ─▶ linked ─▶ start link ─▶ {connected:true}
 */

export interface WebLoginDeps {
  /** The channel runtime (loaded on first use). */
  readonly runtime: () => Promise<ChannelRuntime>;
}

const CHANNEL = 'whatsapp';


/** The `web.login.*` handlers over the channel runtime. */
export function webLoginMethods(deps: WebLoginDeps): Record<(typeof WEB_LOGIN_METHODS)[number], MethodHandler> {
  const sessions = new Map<string, WhatsAppLogin>();

  /** The WhatsApp account a call names (default account when omitted), or the provider error. */
  const accountOf = async (channel: string | undefined, accountId: string | undefined): Promise<{ runtime: ChannelRuntime; account: ChannelAccountConfig; socketFactory: WaSocketFactory }> => {
    if (channel !== undefined && channel.trim().toLowerCase() !== CHANNEL) throw new MethodError('WEB_LOGIN_UNAVAILABLE', ERRORS.WEB_LOGIN_UNAVAILABLE.message);
    const runtime = await deps.runtime();
    const definition = runtime.configuredChannels().find((d) => d.id === CHANNEL);
    if (!definition) throw new MethodError('WEB_LOGIN_UNAVAILABLE', ERRORS.WEB_LOGIN_UNAVAILABLE.message);
    const config = runtime.currentConfig();
    const id = accountId ?? definition.defaultAccountId(config);
    const account = definition.accounts(config, runtime.context).find((a) => a.accountId === id);
    if (!account) throw new MethodError('WEB_LOGIN_UNAVAILABLE', `web login provider is not available (unknown WhatsApp account "${id}")`);
    return { runtime, account, socketFactory: whatsappSocketFactory() ?? createBaileysSocket };
  };

  const relinked = async (runtime: ChannelRuntime, account: ChannelAccountConfig) => {
    sessions.delete(account.accountId);
    const live = runtime.account(CHANNEL, account.accountId);
    if (live) await runtime.startAccount(live, true);
  };

  const start = async (params: WebLoginStartParams): Promise<WebLoginStartResult> => {
    const { runtime, account, socketFactory } = await accountOf(params.channel, params.accountId);
    const authDir = String(account.settings.authDir);
    const active = sessions.get(account.accountId);
    if (active && !active.done && !params.force) {
      return { ...(await active.firstQr(0)), message: 'QR already active. Scan it in WhatsApp → Linked Devices.' };
    }
    if (!params.force) {
      const linked = await alreadyLinkedResult(authDir);
      if (linked) return linked;
    }
    active?.dispose();
    await runtime.account(CHANNEL, account.accountId)?.stop('gateway');
    let login: WhatsAppLogin;
    try {
      login = await WhatsAppLogin.begin({ accountId: account.accountId, authDir, logger: runtime.context.logger, socketFactory, ...webSocketUrlOf(account) }, params.force === true);
    } catch (error) {
      if (error instanceof WhatsAppAccountLockedError) return { message: `WhatsApp login failed: ${error.message}` };
      throw error;
    }
    sessions.set(account.accountId, login);
    const result = await login.firstQr(params.timeoutMs);
    if (login.linked) await relinked(runtime, account);
    return result;
  };

  const wait = async (params: WebLoginWaitParams): Promise<WebLoginWaitResult> => {
    const { runtime, account } = await accountOf(params.channel, params.accountId);
    const login = sessions.get(account.accountId);
    if (!login) {
      const summary = await readAuthSummary(String(account.settings.authDir));
      return summary.linked ? { connected: true, message: '✅ Linked! WhatsApp is ready.' } : { connected: false, message: 'No active WhatsApp login in progress.' };
    }
    const result = await login.wait(params.timeoutMs, params.currentQrDataUrl);
    if (result.connected) await relinked(runtime, account);
    else if (login.done) sessions.delete(account.accountId);
    return result;
  };

  return {
    'web.login.start': (_context, params) => start(params as WebLoginStartParams),
    'web.login.wait': (_context, params) => wait(params as WebLoginWaitParams),
  };
}

const webSocketUrlOf = (account: ChannelAccountConfig): { webSocketUrl?: string } =>
  typeof account.settings.webSocketUrl === 'string' ? { webSocketUrl: account.settings.webSocketUrl } : {};
