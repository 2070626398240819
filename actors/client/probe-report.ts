import type { GatewayProbeReport, ProbeTargetKind, ProbeTargetReport, ProbeWarning } from '../../protocol/cli/gateway-probe.js';
import { MIN_PROBE_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../protocol/version.js';
import { bestCapability, probeAuth, probeServer } from '../ops/diagnostics.js';
import { probeGateway, type CallOutcome, type ProbeOutcome } from './probe.js';

/**
 * `gateway probe`: every target (explicit URL, configured remote, local loopback) probed in
 * parallel as `cli`/`probe` (protocol 3–4, `operator.read`) with `health`, `status`,
 * `system-presence` and `config.get` pipelined, as the official CLI does. A gateway without
 * `config.get` is tolerated (listed under `unsupported`, not a failure).
 */

/** One place to probe, with the credentials for it. */
export interface ProbeTarget {
  readonly id: string;
  readonly kind: ProbeTargetKind;
  readonly url: string;
  readonly token?: string;
  readonly password?: string;
}

export interface ProbeRunOptions {
  readonly timeoutMs: number;
  readonly clientVersion: string;
  readonly platform: string;
  readonly localLoopbackUrl: string;
}

const READ_CALLS = [{ method: 'health' }, { method: 'status' }, { method: 'system-presence' }, { method: 'config.get', params: {} }] as const;

const isUnknownMethod = (call: CallOutcome) =>
  !call.ok && ((call.error.details as { code?: unknown } | undefined)?.code === 'UNKNOWN_METHOD' || /unknown method/i.test(call.error.message));

const isMissingRead = (call: CallOutcome) =>
  !call.ok && ((call.error.details as { missingScope?: unknown } | undefined)?.missingScope === 'operator.read' || /missing scope: operator\.read/i.test(call.error.message));

const payloadOf = (outcome: ProbeOutcome, method: string): unknown => {
  const call = outcome.calls.find((c) => c.method === method);
  return call?.ok ? call.payload : null;
};

/** A short, secret-free view of a `config.get` payload. */
function configSummary(payload: unknown): Record<string, unknown> | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const result = payload as { path?: unknown; exists?: unknown; valid?: unknown; hash?: unknown; config?: { gateway?: Record<string, unknown> } };
  const gateway = result.config?.gateway ?? {};
  const auth = (gateway.auth ?? {}) as { mode?: unknown };
  return {
    path: result.path ?? null,
    exists: result.exists ?? null,
    valid: result.valid ?? null,
    hash: result.hash ?? null,
    gateway: { mode: gateway.mode ?? null, port: gateway.port ?? null, bind: gateway.bind ?? null, authMode: auth.mode ?? null },
  };
}

function targetReport(target: ProbeTarget, outcome: ProbeOutcome): ProbeTargetReport {
  const failed = outcome.calls.filter((call) => !call.ok);
  const unsupported = failed.filter(isUnknownMethod).map((call) => call.method);
  const realFailures = failed.filter((call) => !(call.method === 'config.get' && isUnknownMethod(call)));
  const answeredAll = outcome.calls.length === READ_CALLS.length;
  const scopeLimited = outcome.connected && failed.some(isMissingRead);
  const presence = payloadOf(outcome, 'system-presence');
  const roster = Array.isArray(presence) ? (presence as unknown[]) : null;
  const self = roster?.find((row) => (row as { reason?: unknown }).reason === 'self') as Record<string, unknown> | undefined;
  const error = outcome.error ?? (realFailures[0] && !realFailures[0].ok ? realFailures[0].error.message : null) ?? (outcome.connected && !answeredAll ? 'timeout' : null);
  return {
    id: target.id,
    kind: target.kind,
    url: target.url,
    active: true,
    tunnel: null,
    connect: {
      ok: outcome.connected,
      rpcOk: outcome.connected && answeredAll && realFailures.length === 0,
      scopeLimited,
      latencyMs: outcome.connectLatencyMs,
      error,
      close: outcome.connected ? null : outcome.close,
    },
    auth: probeAuth(outcome),
    server: probeServer(outcome),
    self: self ?? null,
    config: configSummary(payloadOf(outcome, 'config.get')),
    health: payloadOf(outcome, 'health'),
    summary: payloadOf(outcome, 'status'),
    presence: roster,
    unsupported,
  };
}

/** Identity of the gateway behind a target: its self presence row, else its connection id space. */
const identityOf = (target: ProbeTargetReport) =>
  target.self ? `${String(target.self.host ?? '')}|${String(target.self.instanceId ?? '')}` : `url:${target.url}`;

function warningsFor(targets: readonly ProbeTargetReport[]): ProbeWarning[] {
  const warnings: ProbeWarning[] = [];
  const reachable = targets.filter((t) => t.connect.ok);
  if (reachable.length === 0) {
    warnings.push({ code: 'no_gateway_reachable', message: 'No gateway answered any probe. Check `openclaw gateway status` (service state, port listeners, last error).', targetIds: targets.map((t) => t.id) });
  }
  if (new Set(reachable.map(identityOf)).size > 1) {
    warnings.push({
      code: 'multiple_gateways',
      message: 'Several different gateways answered. One gateway per machine is usual; if this is intentional (a rescue profile), keep ports, config, state and workspace separate.',
      targetIds: reachable.map((t) => t.id),
    });
  }
  for (const target of targets) {
    if (target.connect.scopeLimited) {
      warnings.push({ code: 'probe_scope_limited', message: 'Connected, but read calls were refused (missing operator.read): use credentials with read access.', targetIds: [target.id] });
    } else if (target.connect.ok && !target.connect.rpcOk) {
      warnings.push({ code: 'probe_detail_failed', message: `Connected, but read diagnostics failed: ${target.connect.error ?? 'unknown error'}`, targetIds: [target.id] });
    }
    if (target.unsupported.length > 0) {
      warnings.push({ code: 'probe_method_unsupported', message: `The gateway does not implement ${target.unsupported.join(', ')}; skipped.`, targetIds: [target.id] });
    }
  }
  return warnings;
}

/** Probes every target in parallel and builds the report. */
export async function probeTargets(targets: readonly ProbeTarget[], options: ProbeRunOptions): Promise<GatewayProbeReport> {
  const started = Date.now();
  const outcomes = await Promise.all(
    targets.map((target) =>
      probeGateway({
        url: target.url,
        ...(target.token ? { token: target.token } : {}),
        ...(target.password ? { password: target.password } : {}),
        timeoutMs: options.timeoutMs,
        client: { id: 'cli', mode: 'probe', version: options.clientVersion },
        minProtocol: MIN_PROBE_PROTOCOL_VERSION,
        maxProtocol: PROTOCOL_VERSION,
        scopes: ['operator.read'],
        calls: READ_CALLS,
        platform: options.platform,
      }),
    ),
  );
  const reports = targets.map((target, i) => targetReport(target, outcomes[i] as ProbeOutcome));
  const reachable = reports.filter((t) => t.connect.ok);
  const primary = (['explicit', 'configRemote', 'localLoopback'] as const).map((kind) => reachable.find((t) => t.kind === kind)).find(Boolean);
  return {
    ok: reachable.length > 0,
    degraded: reachable.some((t) => !t.connect.rpcOk),
    capability: bestCapability(reachable.map((t) => t.auth.capability)),
    ts: Date.now(),
    durationMs: Date.now() - started,
    timeoutMs: options.timeoutMs,
    primaryTargetId: primary?.id ?? null,
    warnings: warningsFor(reports),
    network: { localLoopbackUrl: options.localLoopbackUrl },
    targets: reports,
  };
}
