import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { CliFailure, fail, resolveTarget, scopesFor, targetArgs } from './target.js';

/** `openclaw gateway call <method>`: one raw RPC, payload printed as JSON. */
export const callCommand = defineCommand({
  meta: { name: 'call', description: 'Call a gateway method and print its payload' },
  args: {
    method: { type: 'positional', description: 'Method name, e.g. health', required: true },
    params: { type: 'string', description: 'Params as JSON (default {})', default: '{}' },
    'expect-final': { type: 'boolean', description: 'For two-stage methods, wait for the final response' },
    ...targetArgs,
  },
  run: async ({ args }) => {
    try {
      let params: unknown;
      try {
        params = JSON.parse(args.params);
      } catch (error) {
        throw new CliFailure('invalid_arguments', `--params is not valid JSON: ${(error as Error).message}`);
      }
      const target = resolveTarget(args, process.env);
      const payload = await callGateway({
        ...target,
        method: args.method,
        params,
        scopes: scopesFor(args.method),
        expectFinal: args['expect-final'] === true,
        clientVersion: SERVER_VERSION,
      });
      process.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
    } catch (error) {
      fail(error, args.json, 'Gateway call failed');
    }
  },
});
