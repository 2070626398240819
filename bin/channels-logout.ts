import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { fail, resolveTarget, targetArgs } from './target.js';

/**
 * `openclaw channels logout --channel <id> [--account <id>]`: `channels.logout` on the gateway,
 * which stops the account and clears its credentials (WhatsApp: the Baileys auth files).
 */
export const channelsLogoutCommand = defineCommand({
  meta: { name: 'logout', description: 'Stop a channel account and clear its credentials' },
  args: {
    channel: { type: 'string', description: 'Channel (whatsapp, telegram)', default: 'whatsapp' },
    account: { type: 'string', description: 'Account id', default: 'default' },
    ...targetArgs,
  },
  run: async ({ args }) => {
    try {
      const target = resolveTarget(args, process.env);
      const result = (await callGateway({
        ...target, method: 'channels.logout', params: { channel: args.channel, accountId: args.account }, scopes: ['operator.admin'], clientVersion: SERVER_VERSION,
      })) as { cleared?: boolean };
      if (args.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        result.cleared
          ? `Logged out ${args.channel}/${args.account}: saved auth cleared.\n`
          : `No saved auth was cleared for ${args.channel}/${args.account}. Other credentials may still be active.\n`,
      );
    } catch (error) {
      fail(error, args.json, 'Channel logout failed');
    }
  },
});
