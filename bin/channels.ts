import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { CHANNEL_LOGINS } from './channels-login.js';
import { CliFailure, fail, resolveTarget, targetArgs, type TargetFlags } from './target.js';

/*
 * `openclaw channels status [--probe] [--json]`, `channels list`, `channels login|logout`
 * (CHANNELS.md §6). Each is one RPC to the gateway that owns the channels.
 */

type Json = Record<string, any>;

const call = async (flags: TargetFlags, method: string, params: Record<string, unknown>, scopes: string[]) => {
  const target = resolveTarget(flags, process.env);
  return (await callGateway({ ...target, method, params, scopes, clientVersion: SERVER_VERSION })) as Json;
};

const ago = (ts: unknown): string => {
  if (typeof ts !== 'number') return 'never';
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  return s < 5 ? 'just now' : s < 120 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
};

/** One line per account, in the official wording. */
function accountLine(label: string, account: Json): string {
  const parts = [
    account.enabled === false ? 'disabled' : 'enabled',
    account.configured ? 'configured' : 'not configured',
    ...(account.linked === false ? ['not linked'] : []),
    account.running ? 'running' : 'stopped',
    ...(account.running ? [account.connected ? 'connected' : 'disconnected'] : []),
    ...(account.lastTransportActivityAt ? [`transport:${ago(account.lastTransportActivityAt)}`] : []),
    ...(account.mode ? [`mode:${account.mode}`] : []),
    ...(account.probe?.bot?.username ? [`bot:@${account.probe.bot.username}`] : []),
    ...(account.tokenSource && account.tokenSource !== 'none' ? ['token:***'] : []),
    ...(account.dmPolicy ? [`dm:${account.dmPolicy}`] : []),
    ...(account.lifecycle === 'blocked' ? ['blocked'] : []),
    ...(account.probe ? [account.probe.ok ? 'works' : `probe failed: ${account.probe.error ?? account.probe.status}`] : []),
  ];
  return `- ${label} ${account.accountId}: ${parts.join(', ')}`;
}

const statusCommand = defineCommand({
  meta: { name: 'status', description: 'Show channel accounts and their link state (--probe asks each platform)' },
  args: { ...targetArgs, probe: { type: 'boolean', description: 'Probe each account (Telegram getMe)' } },
  run: async ({ args }) => {
    try {
      const status = await call(args, 'channels.status', { probe: args.probe === true, timeoutMs: 30_000 }, ['operator.read']);
      if (args.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const id of status.channelOrder as string[]) {
        const label = (status.channelLabels as Json)[id] ?? id;
        for (const account of ((status.channelAccounts as Json)[id] ?? []) as Json[]) lines.push(accountLine(label, account));
      }
      if (lines.length === 0) lines.push('No channels configured.');
      const issues = (status.statusIssues ?? []) as Json[];
      if (issues.length > 0) {
        lines.push('', 'Warnings:');
        for (const issue of issues) lines.push(`- ${issue.channel} ${issue.accountId}: ${issue.message}${issue.fix ? ` (${issue.fix})` : ''}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (error) {
      fail(error, args.json, 'Channels status failed');
    }
  },
});

const listCommand = defineCommand({
  meta: { name: 'list', description: 'List configured channels and accounts' },
  args: targetArgs,
  run: async ({ args }) => {
    try {
      const status = await call(args, 'channels.status', { probe: false, timeoutMs: 5000 }, ['operator.read']);
      if (args.json) {
        const chat = Object.fromEntries(
          (status.channelOrder as string[]).map((id) => [
            id,
            { accounts: ((status.channelAccounts as Json)[id] ?? []).map((a: Json) => a.accountId), label: (status.channelLabels as Json)[id], docsPath: `/channels/${id}`, installed: true, origin: 'configured' },
          ]),
        );
        process.stdout.write(`${JSON.stringify({ chat }, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const id of status.channelOrder as string[]) {
        for (const account of ((status.channelAccounts as Json)[id] ?? []) as Json[]) {
          const token = account.tokenSource && account.tokenSource !== 'none' ? ', token=***' : '';
          lines.push(`- ${(status.channelLabels as Json)[id] ?? id} ${account.accountId}: installed, ${account.configured ? 'configured' : 'not configured'}, ${account.enabled === false ? 'disabled' : 'enabled'}${token}`);
        }
      }
      process.stdout.write(`${(lines.length ? lines : ['No channels configured.']).join('\n')}\n`);
    } catch (error) {
      fail(error, args.json, 'Channels list failed');
    }
  },
});

const channelArgs = {
  ...targetArgs,
  channel: { type: 'string', description: 'telegram | whatsapp', default: 'whatsapp' },
  account: { type: 'string', description: 'Account id (default: the channel default account)' },
  verbose: { type: 'boolean', description: 'Verbose output' },
} as const;

const logoutCommand = defineCommand({
  meta: { name: 'logout', description: 'Stop a channel account and clear its saved credentials' },
  args: channelArgs,
  run: async ({ args }) => {
    try {
      const channel = String(args.channel ?? 'whatsapp');
      const result = await call(args, 'channels.logout', { channel, ...(args.account ? { accountId: args.account } : {}) }, ['operator.admin']);
      if (args.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        result.cleared
          ? `Logged out ${channel}/${result.accountId}.\n`
          : `No saved auth was cleared for ${channel}/${result.accountId}. Other credentials may still be active.\n`,
      );
    } catch (error) {
      fail(error, args.json, 'Channel logout failed');
    }
  },
});

const loginCommand = defineCommand({
  meta: { name: 'login', description: 'Link a channel account (WhatsApp: scan a QR code)' },
  args: channelArgs,
  run: async ({ args }) => {
    try {
      const channel = String(args.channel ?? 'whatsapp');
      if (channel === 'telegram') {
        throw new CliFailure('invalid_arguments', 'Telegram does not use channels login: set channels.telegram.botToken (or TELEGRAM_BOT_TOKEN) to the BotFather token');
      }
      const login = CHANNEL_LOGINS[channel];
      if (!login) throw new CliFailure('invalid_arguments', `Channel login is not supported for ${channel}`);
      process.exitCode = await login({ ...(args.account ? { accountId: args.account } : {}), verbose: args.verbose === true, env: process.env });
    } catch (error) {
      fail(error, args.json, 'Channel login failed');
    }
  },
});

/** `openclaw channels`. */
export const channelsCommand = defineCommand({
  meta: { name: 'channels', description: 'Messaging channels (Telegram, WhatsApp): status, list, login, logout' },
  subCommands: { status: statusCommand, list: listCommand, login: loginCommand, logout: logoutCommand },
});
