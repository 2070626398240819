import { randomUUID } from 'node:crypto';
import type { Admission, HandshakeDecision } from '../../machines/connection-rules.js';
import { errorResponse } from '../../machines/connection-rules.js';
import { ERRORS, type ErrorKey } from '../../protocol/errors.js';
import type { Fact } from '../../protocol/facts.js';
import type { PairingReason } from '../../protocol/devices.js';
import {
  approvedSets, decideDevicePairing, decideNodeSurface, filterDeclaredCommands, requiredApproveScopes,
  type Locality, type PairingClaim,
} from '../../machines/device-pairing.js';
import { isProofFailure, verifyDeviceProof } from './device-proof.js';
import type { NodesHub } from './hub.js';
import { hashDeviceToken, mintDeviceToken, tokenMatches } from './tokens.js';

/*
 * The device step of `connect` (NODES.md §1, §2.2–2.5), run after the pure handshake rules
 * admitted a connect that carries a `device`:
 *
 *   proof (id, skew, nonce, v3|v2) ─fail─► INVALID_REQUEST details DEVICE_AUTH_* + close 1008
 *   credentials: shared secret, else the device token (auth.deviceToken or auth.token)
 *   pairing: covered │ silent approval (journaled) │ request (journaled) ─► NOT_PAIRED PAIRING_REQUIRED
 *   device token: echoed, remembered, or minted (hash journaled) ─► hello-ok.auth.deviceToken
 *   role node: the declared surface ∩ allowlist; a new one becomes node.pair.requested
 */

/** The socket facts locality is decided from. */
export interface GateSocket {
  readonly isLoopback: boolean;
  readonly origin: string | undefined;
  readonly forwarded?: boolean;
  readonly remoteAddress: string;
}

const UI_CLIENTS = new Set(['openclaw-control-ui', 'webchat-ui', 'webchat']);
const REASON_MESSAGES: Record<PairingReason, string> = {
  'not-paired': 'pairing required: device is not approved yet',
  'role-upgrade': 'pairing required: device is asking for a higher role than currently approved',
  'scope-upgrade': 'pairing required: device is asking for more scopes than currently approved',
  'metadata-upgrade': 'pairing required: device identity changed and must be re-approved',
};
/** Conflicting appends (two sockets of one device at once) are re-decided this many times. */
const ATTEMPTS = 4;

function refuse(key: ErrorKey, id: string, options: { message?: string; details?: unknown; closeReason?: string } = {}): HandshakeDecision {
  const entry = ERRORS[key];
  const message = options.message ?? entry.message;
  return {
    kind: 'reject',
    response: errorResponse(id, key, { message, details: options.details }),
    close: { code: entry.close ?? 1008, reason: options.closeReason ?? message },
  };
}

/** Verifies and pairs the device of an admitted connect; the admission comes back enriched, or a refusal. */
export async function admitDevice(
  hub: NodesHub,
  input: { connId: string; nonce: string; admission: Admission; socket: GateSocket; now: () => number },
): Promise<HandshakeDecision> {
  const { admission } = input;
  const device = admission.device;
  if (!device) return { kind: 'admit', admission };
  const params = device.params;
  const id = admission.requestId;
  const proof = verifyDeviceProof(params, input.nonce, input.now());
  if (isProofFailure(proof)) return refuse(proof.key, id, { details: { code: proof.key, reason: proof.reason } });
  const deviceId = proof.deviceId;
  const role = admission.role;

  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const now = input.now();
    const record = hub.device(deviceId);
    // Credentials: the shared secret passed, or the device token of this role must match.
    let method: PairingClaim['authMethod'] = device.sharedSecret;
    let presented: string | undefined;
    if (device.deferredAuthFailure) {
      const candidate = params.auth?.deviceToken || params.auth?.token;
      const current = record?.paired ? record.tokens[role] : undefined;
      if (candidate && current && tokenMatches(candidate, current.hash)) {
        method = 'device-token';
        presented = candidate;
      } else if (params.auth?.deviceToken && !params.auth.token) {
        return refuse('AUTH_DEVICE_TOKEN_MISMATCH', id, {
          details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH', authReason: 'device_token_mismatch', canRetryWithDeviceToken: false, recommendedNextStep: 'update_auth_credentials' },
        });
      } else {
        const failure = device.deferredAuthFailure;
        const response = failure.response;
        const details = response?.error?.details as Record<string, unknown> | undefined;
        if (!response?.error || !details) return failure;
        return { ...failure, response: { ...response, error: { ...response.error, details: { ...details, canRetryWithDeviceToken: true, recommendedNextStep: 'retry_with_device_token' } } } };
      }
    }
    const locality: Locality = input.socket.isLoopback && input.socket.forwarded !== true ? 'direct_local' : 'remote';
    const claim: PairingClaim = {
      role, scopes: admission.scopes, platform: params.client.platform, deviceFamily: params.client.deviceFamily,
      locality, browserOrigin: input.socket.origin !== undefined, uiClient: UI_CLIENTS.has(params.client.id), authMethod: method,
    };
    const view = hub.pairingView(record, now);
    const decision = decideDevicePairing(view, claim, { autoApproveLocal: hub.config.autoApproveLocal }, now);
    const position = record?.position ?? 0;
    const facts: Fact[] = [];
    if (decision.kind === 'request') {
      const requestId = decision.reuseRequestId ?? randomUUID();
      if (decision.supersedeRequestId) facts.push({ type: 'device.pair.rejected', data: { requestId: decision.supersedeRequestId, deviceId, reason: 'superseded', ts: now } });
      if (!decision.reuseRequestId) {
        facts.push({
          type: 'device.pair.requested',
          data: {
            reason: decision.reason,
            request: {
              requestId, deviceId, publicKey: proof.publicKey,
              ...(params.client.displayName !== undefined ? { displayName: params.client.displayName } : {}),
              platform: params.client.platform,
              ...(params.client.deviceFamily !== undefined ? { deviceFamily: params.client.deviceFamily } : {}),
              clientId: params.client.id, clientMode: params.client.mode, role,
              roles: approvedSets(view, claim).roles, scopes: [...admission.scopes],
              silent: false, isRepair: record?.paired !== null && record?.paired !== undefined,
              ...(input.socket.isLoopback ? {} : { remoteIp: input.socket.remoteAddress }),
              ...(input.socket.origin !== undefined ? { browserOrigin: input.socket.origin } : {}),
              ts: now,
            },
          },
        });
      }
      if (facts.length > 0 && !(await hub.append(deviceId, facts, position))) continue;
      const message = REASON_MESSAGES[decision.reason];
      return refuse('PAIRING_REQUIRED', id, {
        message,
        closeReason: `${message} (requestId: ${requestId})`,
        details: {
          code: 'PAIRING_REQUIRED', reason: decision.reason, requestId,
          remediationHint: 'Approve this device from the pending pairing requests.',
          deviceId, requestedRole: role,
          ...(role === 'operator' ? { requestedScopes: [...admission.scopes] } : {}),
          ...(view.paired ? { approvedRoles: [...view.paired.roles], approvedScopes: [...view.paired.scopes] } : {}),
        },
      });
    }
    let approvedVia = record?.paired?.approvedVia;
    if (decision.kind === 'approve-silently') {
      const sets = approvedSets(view, claim);
      if (view.pending) facts.push({ type: 'device.pair.rejected', data: { requestId: view.pending.requestId, deviceId, reason: 'superseded', ts: now } });
      approvedVia = record?.paired?.approvedVia === 'owner' ? 'owner' : 'silent';
      facts.push({
        type: 'device.pair.approved',
        data: {
          requestId: randomUUID(), deviceId, publicKey: proof.publicKey,
          ...(params.client.displayName !== undefined ? { displayName: params.client.displayName } : {}),
          platform: params.client.platform,
          ...(params.client.deviceFamily !== undefined ? { deviceFamily: params.client.deviceFamily } : {}),
          clientId: params.client.id, clientMode: params.client.mode, role,
          roles: sets.roles, scopes: sets.scopes, approvedVia, ts: now,
        },
      });
    }
    // The device token of this role: echoed when it authenticated, else the one minted here, else a new one.
    let token = presented ?? hub.knownToken(deviceId, role);
    const current = record?.tokens[role];
    let issuedAtMs = current ? (current.rotatedAtMs ?? current.createdAtMs) : now;
    const scopesChanged = current !== undefined && role === 'operator' && !admission.scopes.every((s) => current.scopes.includes(s));
    if (token === undefined || decision.kind === 'approve-silently' || scopesChanged) {
      if (presented === undefined) token = mintDeviceToken();
      if (token === undefined) token = mintDeviceToken();
      issuedAtMs = now;
      facts.push({
        type: 'device.token.issued',
        data: { deviceId, role, scopes: role === 'operator' ? [...new Set([...(current?.scopes ?? []), ...admission.scopes])] : [], hash: hashDeviceToken(token), createdAtMs: current?.createdAtMs ?? now, ...(current ? { rotatedAtMs: now } : {}) },
      });
    }
    // A node's declared surface beyond what is approved becomes a pending surface request.
    let declaredCommands: string[] = [];
    if (role === 'node') {
      declaredCommands = filterDeclaredCommands(params.client.platform, params.commands ?? [], hub.config.commands).allowed;
      const caps = [...new Set(params.caps ?? [])];
      const surface = decideNodeSurface(record?.node ?? { approved: null, pending: null }, { caps, commands: declaredCommands });
      if (surface.kind === 'request' && !surface.reuseRequestId) {
        facts.push({
          type: 'node.pair.requested',
          data: {
            request: {
              requestId: randomUUID(), nodeId: deviceId, clientId: params.client.id, clientMode: params.client.mode,
              ...(params.client.displayName !== undefined ? { displayName: params.client.displayName } : {}),
              platform: params.client.platform, version: params.client.version,
              ...(params.client.deviceFamily !== undefined ? { deviceFamily: params.client.deviceFamily } : {}),
              caps, commands: declaredCommands, requiredApproveScopes: requiredApproveScopes(declaredCommands),
              ...(approvedVia === 'silent' ? { silent: true } : {}),
              ts: now,
            },
          },
        });
      }
    }
    if (facts.length > 0 && !(await hub.append(deviceId, facts, position))) continue;
    if (presented === undefined) hub.rememberToken(deviceId, role, token);
    hub.connected({ connId: input.connId, deviceId, role, params, commands: declaredCommands, caps: params.caps ?? [], connectedAtMs: now, authMethod: method });
    return {
      kind: 'admit',
      admission: { ...admission, helloAuth: { method, deviceToken: token, issuedAtMs } },
    };
  }
  throw new Error(`device ${deviceId}: pairing state kept changing during connect`);
}
