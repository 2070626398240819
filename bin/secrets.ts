import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import type { SecretsReloadResult } from '../protocol/methods/secrets.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { fail, resolveTarget, targetArgs } from './target.js';

/** `openclaw secrets reload`: the gateway re-resolves every SecretRef and swaps its snapshot. */
const reloadCommand = defineCommand({
  meta: { name: 'reload', description: 'Re-resolve secret references and atomically swap the runtime snapshot' },
  args: targetArgs,
  run: async ({ args }) => {
    try {
      const target = resolveTarget(args, process.env);
      const result = (await callGateway({ ...target, method: 'secrets.reload', params: {}, scopes: ['operator.admin'], clientVersion: SERVER_VERSION })) as SecretsReloadResult;
      if (args.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(result.warningCount > 0 ? `Secrets reloaded with ${result.warningCount} warning(s).\n` : 'Secrets reloaded.\n');
    } catch (error) {
      fail(error, args.json, 'Secrets reload failed');
    }
  },
});

/** `openclaw secrets`: the runtime snapshot of SecretRefs. */
export const secretsCommand = defineCommand({
  meta: { name: 'secrets', description: 'Manage the runtime snapshot of secret references' },
  subCommands: { reload: reloadCommand },
});
