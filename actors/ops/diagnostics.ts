import type { ProbeAuth, ProbeCapability } from '../../protocol/cli/gateway-status.js';
import type { ProbeOutcome } from '../client/probe.js';

/** Pure readings of probe outcomes and service logs, shared by `gateway status`, `gateway probe` and `status`. */

/** The official classification of a connection by the scopes hello-ok granted. */
export function capabilityOf(outcome: ProbeOutcome): ProbeCapability {
  const details = outcome.connectError?.details as { code?: unknown } | undefined;
  if (outcome.connectError?.code === 'NOT_PAIRED' || details?.code === 'PAIRING_REQUIRED') return 'pairing_pending';
  if (!outcome.connected) return 'unknown';
  const auth = outcome.hello?.auth as { scopes?: unknown } | undefined;
  const scopes = Array.isArray(auth?.scopes) ? auth.scopes : [];
  if (scopes.includes('operator.admin')) return 'admin_capable';
  if (scopes.includes('operator.write')) return 'write_capable';
  if (scopes.includes('operator.read')) return 'read_only';
  return auth ? 'connected_no_operator_scope' : 'unknown';
}

/** `hello-ok.auth` of a probe, with its capability. */
export function probeAuth(outcome: ProbeOutcome): ProbeAuth {
  const auth = outcome.hello?.auth as { role?: unknown; scopes?: unknown } | undefined;
  return {
    role: typeof auth?.role === 'string' ? auth.role : null,
    scopes: Array.isArray(auth?.scopes) ? auth.scopes.filter((s): s is string => typeof s === 'string') : [],
    capability: capabilityOf(outcome),
  };
}

/** `hello-ok.server` of a probe. */
export function probeServer(outcome: ProbeOutcome): { version: string | null; connId: string | null } {
  const server = outcome.hello?.server as { version?: unknown; connId?: unknown } | undefined;
  return {
    version: typeof server?.version === 'string' ? server.version : null,
    connId: typeof server?.connId === 'string' ? server.connId : null,
  };
}

/** The most useful capability among several probes (official order). */
export function bestCapability(capabilities: readonly ProbeCapability[]): ProbeCapability {
  const order: ProbeCapability[] = ['admin_capable', 'write_capable', 'read_only', 'connected_no_operator_scope', 'pairing_pending'];
  return order.find((capability) => capabilities.includes(capability)) ?? 'unknown';
}

/** Lines that name why a gateway could not start or serve (ours and the official signatures). */
export const GATEWAY_LOG_ERROR_PATTERNS: readonly RegExp[] = [
  /^openclaw gateway: /,
  /\bEADDRINUSE\b/,
  /port already in use/i,
  /invalid config/i,
  /refusing to bind/i,
  /no gateway (token|password) configured/i,
  /gateway\.mode is not/i,
  /gateway start blocked/i,
  /another gateway .*(journal|listening)/i,
  /\bENOSPC\b/,
  /no space left on device/i,
  /failed to bind gateway socket/i,
];

/**
 * The last line matching a known failure signature; without a match, the last non-empty line
 * (unless `requirePatternMatch`). Null when there is nothing to show.
 */
export function lastGatewayErrorLine(lines: readonly string[], requirePatternMatch: boolean): string | null {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i]?.trim();
    if (line && GATEWAY_LOG_ERROR_PATTERNS.some((pattern) => pattern.test(line))) return line;
  }
  if (requirePatternMatch) return null;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return null;
}
