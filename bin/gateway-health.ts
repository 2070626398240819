import { defineCommand } from 'citty';
import { callGateway } from '../actors/client/rpc.js';
import { SERVER_VERSION } from '../protocol/version.js';
import type { HealthSnapshot } from '../protocol/health.js';
import { fail, resolveTarget, targetArgs } from './target.js';

/** `openclaw gateway health`: the health snapshot, summarised or as JSON. */
export const healthCommand = defineCommand({
  meta: { name: 'health', description: 'Show the gateway health snapshot' },
  args: targetArgs,
  run: async ({ args }) => {
    try {
      const target = resolveTarget(args, process.env);
      const started = Date.now();
      const health = (await callGateway({ ...target, method: 'health', scopes: ['operator.read'], clientVersion: SERVER_VERSION })) as HealthSnapshot;
      if (args.json) {
        process.stdout.write(`${JSON.stringify(health, null, 2)}\n`);
        return;
      }
      const loop = health.eventLoop;
      const lines = [
        'Gateway Health',
        `OK (${Date.now() - started}ms) at ${target.url}`,
        `Default agent: ${health.defaultAgentId}; agents: ${health.agents.map((a) => a.agentId).join(', ') || 'none'}`,
        `Channels: ${health.channelOrder.length === 0 ? 'none configured' : health.channelOrder.map((id) => channelReadiness(health, id)).join('; ')}`,
      ];
      if (loop) lines.push(`Event loop: ${loop.degraded ? `degraded (${loop.reasons.join(', ')})` : 'ok'}, p99 delay ${loop.delayP99Ms} ms`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (error) {
      fail(error, args.json, 'Gateway health failed');
    }
  },
});

/** `Telegram: linked (default ready)`: a channel is linked when an account of it is connected. */
function channelReadiness(health: HealthSnapshot, id: string): string {
  const channel = health.channels[id] as { accounts?: Record<string, { lifecycle?: string; connected?: boolean }> } | undefined;
  const accounts = Object.entries(channel?.accounts ?? {});
  const linked = accounts.some(([, a]) => a.connected === true);
  const detail = accounts.map(([accountId, a]) => `${accountId} ${a.lifecycle ?? 'unknown'}`).join(', ');
  return `${health.channelLabels[id] ?? id}: ${linked ? 'linked' : 'not linked'}${detail ? ` (${detail})` : ''}`;
}
