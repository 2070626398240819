import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import type { GatewayInspectResult, InspectedTransition } from '../protocol/methods/inspect.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { fail, resolveTarget, targetArgs } from './target.js';

/** How long each poll of `--follow` keeps the gateway recording. */
const FOLLOW_WATCH_MS = 5000;
const FOLLOW_INTERVAL_MS = 1000;

const stateText = (state: unknown): string => (typeof state === 'string' ? state : JSON.stringify(state));
const transitionLine = (t: InspectedTransition): string =>
  `${new Date(t.ts).toISOString()}  ${t.actor}  ${t.event} → ${stateText(t.state)}${t.status === 'active' ? '' : ` (${t.status})`}`;

/** `openclaw gateway inspect [--follow] [--json]`: live actors, their states, recent transitions. */
export const inspectCommand = defineCommand({
  meta: { name: 'inspect', description: 'Show every live actor, its state and recent transitions (state-machine inspector)' },
  args: {
    follow: { type: 'boolean', description: 'Keep printing transitions as they happen (Ctrl-C to stop)' },
    ...targetArgs,
  },
  run: async ({ args }) => {
    try {
      const target = resolveTarget(args, process.env);
      const call = (params: Record<string, number>) =>
        callGateway({ ...target, method: 'gateway.inspect', params, scopes: ['operator.admin'], clientVersion: SERVER_VERSION }) as Promise<GatewayInspectResult>;
      const first = await call(args.follow ? { watchMs: FOLLOW_WATCH_MS } : {});
      if (args.json && !args.follow) {
        process.stdout.write(`${JSON.stringify(first, null, 2)}\n`);
        return;
      }
      const lines = first.actors.map((a) => `${a.id}  ${stateText(a.state)}${a.status === 'active' ? '' : ` (${a.status})`}`);
      process.stdout.write(`Actors (${first.actors.length}):\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
      if (first.transitions.length > 0) process.stdout.write(`Recent transitions:\n${first.transitions.map(transitionLine).join('\n')}\n`);
      if (!args.follow) return;
      let cursor = first.cursor;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
        const next = await call({ watchMs: FOLLOW_WATCH_MS, since: cursor });
        for (const t of next.transitions) process.stdout.write(args.json ? `${JSON.stringify(t)}\n` : `${transitionLine(t)}\n`);
        cursor = next.cursor;
      }
    } catch (error) {
      fail(error, args.json, 'openclaw gateway inspect');
    }
  },
});
