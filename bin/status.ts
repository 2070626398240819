import { defineCommand } from 'citty';
import { probeGateway, type ProbeOutcome } from '../actors/client/probe.js';
import { inspectService } from '../actors/ops/service-managers/lifecycle.js';
import type { StatusResult } from '../protocol/methods/system.js';
import type { HealthSnapshot } from '../protocol/health.js';
import type { ServiceSummary } from '../protocol/cli/service.js';
import { PROTOCOL_VERSION, SERVER_VERSION } from '../protocol/version.js';
import { localCredentials } from './gateway-status.js';
import { resolveServiceContext } from './service-context.js';
import { fail, resolveTarget, targetArgs } from './target.js';

/**
 * `openclaw status`: one screen for a human: is the gateway reachable, what runs it (service),
 * agents, sessions, channels, presence. `--json` spreads the `status` payload at the top level
 * with `gateway`, `service`, `health` and `presence` beside it (close to the official keys).
 */

const payload = <T>(outcome: ProbeOutcome, method: string): T | null => {
  const call = outcome.calls.find((c) => c.method === method);
  return call?.ok ? (call.payload as T) : null;
};

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
};

function serviceLine(service: ServiceSummary): string {
  if (!service.installed) return `Service: not installed (${service.manager}; \`openclaw gateway install\`)`;
  const runtime = service.runtime;
  return `Service: ${service.manager} ${service.label}, ${runtime.status}${runtime.pid ? ` (pid ${runtime.pid})` : ''}${service.configAudit.ok ? '' : ' - differs from current settings (openclaw doctor)'}`;
}

/** `openclaw status`. */
export const statusSummaryCommand = defineCommand({
  meta: { name: 'status', description: 'Summarise the gateway: reachability, service, agents, sessions, channels' },
  args: { ...targetArgs, all: { type: 'boolean', description: 'Include the health snapshot and presence roster in the text output' } },
  run: async ({ args }) => {
    try {
      const env = process.env;
      const target = resolveTarget(args, env);
      const context = resolveServiceContext({}, env);
      const { token, password } = args.url ? target : await localCredentials(args, env, context);
      const [outcome, service] = await Promise.all([
        probeGateway({
          url: target.url,
          ...(token ? { token } : {}),
          ...(password ? { password } : {}),
          timeoutMs: target.timeoutMs,
          client: { id: 'gateway-client', mode: 'backend', version: SERVER_VERSION, displayName: 'gateway:status' },
          minProtocol: PROTOCOL_VERSION,
          maxProtocol: PROTOCOL_VERSION,
          scopes: ['operator.read'],
          calls: [{ method: 'status', params: { includeChannelSummary: true } }, { method: 'health' }, { method: 'system-presence' }],
          platform: process.platform,
        }),
        inspectService(context.manager, context.spec, context.runner),
      ]);
      const status = payload<StatusResult>(outcome, 'status');
      const health = payload<HealthSnapshot>(outcome, 'health');
      const presence = payload<Array<Record<string, unknown>>>(outcome, 'system-presence');
      const self = presence?.find((row) => row.reason === 'self') ?? null;
      const reachable = outcome.connected;
      const error = reachable ? (outcome.calls.find((c) => !c.ok && c.method === 'status') as { error?: { message: string } } | undefined)?.error?.message ?? null : outcome.error;
      const gateway = { mode: 'local', url: target.url, reachable, connectLatencyMs: outcome.connectLatencyMs, error, self };
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ ...(status ?? {}), gateway, service, health, presence }, null, 2)}\n`);
        return;
      }
      const lines = ['OpenClaw status'];
      if (!reachable) lines.push(`Gateway: unreachable at ${target.url}${error ? ` - ${error}` : ''}`);
      else {
        const version = status?.runtimeVersion ?? (self?.version as string | undefined) ?? '?';
        lines.push(`Gateway: reachable at ${target.url} (v${version}, ${outcome.connectLatencyMs ?? '?'}ms)`);
        if (status) lines.push(`  uptime ${duration(status.uptimeMs)} · pid ${status.pid} · transport ${status.transport} · ${status.connections} connection${status.connections === 1 ? '' : 's'}`);
        else if (error) lines.push(`  status: ${error}`);
      }
      lines.push(serviceLine(service));
      if (status) {
        const agents = status.heartbeat.agents as Array<{ agentId?: string; every?: string }>;
        lines.push(`Agents: ${agents.map((a) => `${a.agentId ?? '?'}${a.agentId === status.heartbeat.defaultAgentId ? ' (default)' : ''}`).join(', ') || 'none'}`);
        lines.push(`Heartbeat: ${agents.map((a) => `${a.agentId ?? '?'} ${a.every ?? '?'}`).join(', ') || 'none'}`);
        lines.push(`Sessions: ${status.sessions.count}${status.sessions.recent.length ? ` (${status.sessions.recent.length} recent)` : ''} · tasks ${status.tasks.active}/${status.tasks.total} active`);
        lines.push(`Channels: ${status.channelSummary.length === 0 ? 'none configured' : status.channelSummary.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join('; ')}`);
        lines.push(`Queued system events: ${status.queuedSystemEvents.length}`);
      }
      if (presence) lines.push(`Presence: ${presence.length} (${presence.map((row) => `${String(row.mode ?? '?')} ${String(row.host ?? '')}`.trim()).join(', ')})`);
      if (args.all && health) lines.push('', 'Health:', JSON.stringify(health, null, 2));
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (error) {
      fail(error, args.json, 'Status failed');
    }
  },
});
