import { defineCommand, type ArgsDef, type CommandDef } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { fail, resolveTarget, targetArgs, type TargetFlags } from './target.js';

type Flags = TargetFlags & Record<string, unknown>;

/** Calls one method with the scopes it needs; resolves with the payload. */
export function rpc(flags: TargetFlags, method: string, params: unknown, scopes: string[]): Promise<unknown> {
  return callGateway({ ...resolveTarget(flags, process.env), method, params, scopes, expectFinal: false, clientVersion: SERVER_VERSION });
}

/**
 * One `openclaw nodes|devices <verb>` command: calls the gateway with `call`, prints JSON with
 * `--json`, else the `human` summary (one line per item).
 */
export function pairingVerb(spec: {
  name: string;
  description: string;
  args?: ArgsDef;
  call: (flags: Flags) => Promise<unknown>;
  human: (payload: unknown) => string;
}): CommandDef {
  const args: ArgsDef = { ...(spec.args ?? {}), ...targetArgs };
  return defineCommand({
    meta: { name: spec.name, description: spec.description },
    args,
    run: async ({ args }) => {
      const flags = args as unknown as Flags;
      try {
        const payload = await spec.call(flags);
        process.stdout.write(flags.json ? `${JSON.stringify(payload, null, 2)}\n` : `${spec.human(payload)}\n`);
      } catch (error) {
        fail(error, flags.json, `${spec.name} failed`);
      }
    },
  });
}
