import { defineCommand } from 'citty';
import { probeTargets, type ProbeTarget } from '../actors/client/probe-report.js';
import type { GatewayProbeReport } from '../protocol/cli/gateway-probe.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { localCredentials, parseProbePort, parseTimeout } from './gateway-status.js';
import { resolveServiceContext } from './service-context.js';
import { CliFailure, fail } from './target.js';

/** `openclaw gateway probe`: explicit URL, configured remote and local loopback, each read-probed. */

const json = (value: unknown) => JSON.stringify(value);

/** The human report. */
export function renderProbeText(report: GatewayProbeReport): string {
  const lines = ['Gateway Probe', `Reachable: ${report.ok ? 'yes' : 'no'}`, `Capability: ${report.capability.replaceAll('_', '-')}`, `Probe budget: ${report.timeoutMs}ms`];
  if (report.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const warning of report.warnings) lines.push(`- ${warning.message}`);
  }
  lines.push('', 'Targets');
  for (const target of report.targets) {
    const label = target.kind === 'explicit' ? 'URL (explicit)' : target.kind === 'configRemote' ? 'Remote (config)' : 'Local loopback';
    lines.push(`${label} ${target.url}${target.id === report.primaryTargetId ? ' [primary]' : ''}`);
    if (!target.connect.ok) {
      lines.push(`  Connect: failed - ${target.connect.error ?? 'unknown error'}`);
      continue;
    }
    lines.push(`  Connect: ok (${target.connect.latencyMs ?? '?'}ms) · Capability: ${target.auth.capability.replaceAll('_', '-')} · Read probe: ${target.connect.rpcOk ? 'ok' : `failed - ${target.connect.error ?? '?'}`}`);
    if (target.server.version) lines.push(`  Gateway: ${target.server.version}${target.self?.host ? ` on ${String(target.self.host)}` : ''}`);
    const summary = target.summary as { uptimeMs?: number; connections?: number } | null;
    if (summary && typeof summary.uptimeMs === 'number') lines.push(`  Uptime: ${Math.round(summary.uptimeMs / 1000)}s · connections: ${summary.connections ?? '?'}`);
    if (target.presence) lines.push(`  Presence: ${target.presence.length} entr${target.presence.length === 1 ? 'y' : 'ies'}`);
    if (target.config) lines.push(`  Config: ${json(target.config.path)}${target.config.valid === false ? ' (invalid)' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `gateway probe`. */
export const probeCommand = defineCommand({
  meta: { name: 'probe', description: 'Probe the explicit URL, the configured remote and the local gateway (health, status, presence, config)' },
  args: {
    url: { type: 'string', description: 'Also probe this URL (only --token/--password are used with it)' },
    port: { type: 'string', description: 'Local loopback port to probe (default: the configured port)' },
    token: { type: 'string', description: 'Gateway token' },
    password: { type: 'string', description: 'Gateway password' },
    timeout: { type: 'string', description: 'Per-target timeout in ms', default: '3000' },
    json: { type: 'boolean', description: 'Machine-readable output' },
  },
  run: async ({ args }) => {
    try {
      const env = process.env;
      const context = resolveServiceContext({});
      const config = context.config;
      const port = parseProbePort(args.port) ?? context.port;
      const explicitUrl = args.url?.trim() || undefined;
      if (explicitUrl && args.port) throw new CliFailure('invalid_arguments', '--url and --port are exclusive');
      const localLoopbackUrl = `ws://127.0.0.1:${port}`;
      // --token/--password go with --url when one is given: the local gateway gets its own credentials.
      const local = await localCredentials(explicitUrl ? {} : args, env, context);
      const remote = config.gateway?.remote;
      const candidates: ProbeTarget[] = [
        ...(explicitUrl ? [{ id: 'explicit', kind: 'explicit' as const, url: explicitUrl, ...(args.token ? { token: args.token } : {}), ...(args.password ? { password: args.password } : {}) }] : []),
        ...(remote?.url ? [{ id: 'configRemote', kind: 'configRemote' as const, url: remote.url, ...(remote.token ? { token: remote.token } : {}), ...(remote.password ? { password: remote.password } : {}) }] : []),
        { id: 'localLoopback', kind: 'localLoopback', url: localLoopbackUrl, ...local },
      ];
      const seen = new Set<string>();
      const targets = candidates.filter((target) => !seen.has(target.url) && seen.add(target.url));
      const report = await probeTargets(targets, {
        timeoutMs: parseTimeout(args.timeout, 3000),
        clientVersion: SERVER_VERSION,
        platform: process.platform,
        localLoopbackUrl,
      });
      process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderProbeText(report));
      if (!report.ok) process.exit(1);
    } catch (error) {
      fail(error, args.json, 'Gateway probe failed');
    }
  },
});
