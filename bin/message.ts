import { randomUUID } from 'node:crypto';
import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { CliFailure, fail, resolveTarget, targetArgs } from './target.js';

/*
 * `openclaw message send --channel <id> --target <to> --message <text> [--media <url>] [--json]`:
 * Telegram through `message.action {action:"send"}` and the others through `send`, as the
 * official CLI does (CHANNELS.md §3.4, CLI-FRAMES #16).
 */

const sendCommand = defineCommand({
  meta: { name: 'send', description: 'Send a message through a channel of the gateway' },
  args: {
    ...targetArgs,
    channel: { type: 'string', description: 'telegram | whatsapp (default: the one configured)' },
    target: { type: 'string', description: 'Chat id, @username, E.164 number, or <chat>:topic:<n>', required: true },
    message: { type: 'string', description: 'Text' },
    media: { type: 'string', description: 'Media URL' },
    account: { type: 'string', description: 'Account id' },
  },
  run: async ({ args }) => {
    try {
      if (!args.message && !args.media) throw new CliFailure('invalid_arguments', 'message send needs --message or --media');
      const target = resolveTarget(args, process.env);
      const channel = args.channel?.trim().toLowerCase();
      const idempotencyKey = randomUUID();
      if (channel === 'telegram') {
        const payload = (await callGateway({
          ...target,
          method: 'message.action',
          params: {
            channel, action: 'send', idempotencyKey,
            params: { channel, target: args.target, to: `telegram:${args.target}`, ...(args.message ? { message: args.message } : {}), ...(args.media ? { media: args.media } : {}), ...(args.account ? { accountId: args.account } : {}) },
          },
          scopes: ['operator.write'],
          clientVersion: SERVER_VERSION,
        })) as Record<string, unknown>;
        const out = { action: 'send', channel, dryRun: false, handledBy: 'plugin', messageId: payload.messageId, payload };
        process.stdout.write(args.json ? `${JSON.stringify(out, null, 2)}\n` : `Sent via ${channel} (message ${String(payload.messageId)}).\n`);
        return;
      }
      const result = (await callGateway({
        ...target,
        method: 'send',
        params: {
          to: args.target, idempotencyKey, ...(channel ? { channel } : {}), ...(args.message ? { message: args.message } : {}),
          ...(args.media ? { mediaUrl: args.media } : {}), ...(args.account ? { accountId: args.account } : {}),
        },
        scopes: ['operator.write'],
        clientVersion: SERVER_VERSION,
      })) as Record<string, unknown>;
      const out = { action: 'send', channel: result.channel, dryRun: false, handledBy: 'core', payload: { channel: result.channel, to: args.target, via: 'gateway', mediaUrl: args.media ?? null, result } };
      process.stdout.write(args.json ? `${JSON.stringify(out, null, 2)}\n` : `Sent via ${String(result.channel)} (message ${String(result.messageId)}).\n`);
    } catch (error) {
      fail(error, args.json, 'Message send failed');
    }
  },
});

/** `openclaw message`. */
export const messageCommand = defineCommand({
  meta: { name: 'message', description: 'Send messages through the gateway channels' },
  subCommands: { send: sendCommand },
});
