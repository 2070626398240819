import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { CliFailure, fail, resolveTarget, targetArgs, type TargetFlags } from './target.js';

/*
 * `openclaw pairing list [channel]` and `openclaw pairing approve <channel> <CODE> [--notify]`:
 * DM pairing through the gateway's `channels.pairing.*` (the gateway owns the journal the
 * requests live in). `approve` finds the request by its code, then approves it by request id.
 */

type Json = Record<string, any>;

const list = async (flags: TargetFlags, channel: string | undefined, account: string | undefined): Promise<Json> => {
  const target = resolveTarget(flags, process.env);
  const params = { ...(channel ? { channel } : {}), ...(account ? { accountId: account } : {}) };
  return (await callGateway({ ...target, method: 'channels.pairing.list', params, scopes: ['operator.pairing'], clientVersion: SERVER_VERSION })) as Json;
};

const listCommand = defineCommand({
  meta: { name: 'list', description: 'Pending DM pairing requests' },
  args: { ...targetArgs, channel: { type: 'positional', description: 'telegram | whatsapp', required: false }, account: { type: 'string', description: 'Account id' } },
  run: async ({ args }) => {
    try {
      const result = await list(args, args.channel, args.account);
      const requests = (result.requests as Json[]).map((r) => ({
        id: r.senderId, code: r.code, requestId: r.requestId, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt,
        meta: { ...r.metadata, accountId: r.accountId }, channel: r.channel,
      }));
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ channel: args.channel ?? null, requests }, null, 2)}\n`);
        return;
      }
      if (requests.length === 0) process.stdout.write('No pending pairing requests.\n');
      for (const r of requests) process.stdout.write(`- ${r.channel} ${r.meta.accountId} ${r.id}${r.meta.username ? ` (@${r.meta.username})` : ''}: code ${r.code ?? '?'}, since ${r.createdAt}\n`);
    } catch (error) {
      fail(error, args.json, 'Pairing list failed');
    }
  },
});

const approveCommand = defineCommand({
  meta: { name: 'approve', description: 'Approve a DM pairing request by its code' },
  args: {
    ...targetArgs,
    channel: { type: 'positional', description: 'telegram | whatsapp', required: true },
    code: { type: 'positional', description: 'The pairing code the sender got', required: true },
    account: { type: 'string', description: 'Account id' },
    notify: { type: 'boolean', description: 'Tell the sender they were approved' },
  },
  run: async ({ args }) => {
    try {
      const pending = await list(args, args.channel, args.account);
      const code = String(args.code).trim().toUpperCase();
      const request = (pending.requests as Json[]).find((r) => String(r.code ?? '').toUpperCase() === code);
      if (!request) throw new CliFailure('pairing_not_found', `No pending pairing request with code ${code} for ${args.channel}`);
      const target = resolveTarget(args, process.env);
      const result = (await callGateway({
        ...target,
        method: 'channels.pairing.approve',
        params: { channel: request.channel, accountId: request.accountId, requestId: request.requestId, ...(args.notify ? { notify: true } : {}) },
        scopes: ['operator.pairing'],
        clientVersion: SERVER_VERSION,
      })) as Json;
      if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else process.stdout.write(`Approved ${request.channel} sender ${result.senderId}.\n`);
    } catch (error) {
      fail(error, args.json, 'Pairing approve failed');
    }
  },
});

/** `openclaw pairing`. */
export const pairingCommand = defineCommand({
  meta: { name: 'pairing', description: 'DM pairing requests of the gateway channels' },
  subCommands: { list: listCommand, approve: approveCommand },
});
