/**
 * Pure rules the connection machine decides with: the handshake (PROTOCOL.md §2) and request
 * routing (§1.1, §4). No I/O, no clocks: everything arrives as arguments.
 */
import { isRequestFrame, type ResponseFrame, type ErrorShape } from '../protocol/frames.js';
import { isConnectParams, type ClientInfo, type ConnectParams } from '../protocol/connect.js';
import { ERRORS, AUTH_FAILURE_DETAILS, type ErrorKey } from '../protocol/errors.js';
import { hasScope, ROLES, type Role } from '../protocol/scopes.js';
import { METHODS } from '../protocol/registry.js';
import { trustedProxyFailure, type ProxyVerdict, type TrustedProxyPolicy } from './trusted-proxy-rules.js';
import {
  PROTOCOL_VERSION, MIN_CLIENT_PROTOCOL_VERSION, MIN_PROBE_PROTOCOL_VERSION, NODE_PROTOCOL_VERSION, MAX_PREAUTH_PAYLOAD_BYTES,
} from '../protocol/version.js';
import { browserConnectRefusal, type SocketOrigin } from './browser-origin.js';

/** How the gateway authenticates sockets. `none` accepts everyone (loopback only). */
export interface AuthPolicy {
  readonly mode: 'token' | 'password' | 'none' | 'trusted-proxy';
  /** The shared secret (token or password); required for token/password; trusted-proxy: the optional local password. */
  readonly secret?: string;
  /** `trusted-proxy`: the proxy rules (machines/trusted-proxy-rules.ts). */
  readonly trustedProxy?: TrustedProxyPolicy;
  /** `trusted-proxy`: this socket's verdict, judged from its upgrade request. */
  readonly proxyVerdict?: ProxyVerdict;
}

/** Who a socket turned out to be after a successful `connect`. */
export interface Admission {
  readonly requestId: string;
  readonly role: Role;
  readonly scopes: readonly string[];
  readonly client: ClientInfo;
  /** Presence row key, or null for clients that are not tracked (cli, backend, probe). */
  readonly presenceKey: string | null;
  readonly caps: readonly string[];
  /** A device proof to verify before hello-ok (NODES.md §1), or null when the connect carries none. */
  readonly device: DeviceAdmission | null;
  /** Extra `hello-ok.auth` fields decided while admitting (auth method, device token). */
  readonly helloAuth?: { readonly method?: string; readonly deviceToken?: string; readonly issuedAtMs?: number };
}

/** What the device step of the handshake needs: the connect as sent and the shared-secret outcome. */
export interface DeviceAdmission {
  readonly params: ConnectParams;
  /** How the shared-secret check ended. */
  readonly sharedSecret: 'none' | 'token' | 'password' | 'trusted-proxy';
  /** The shared secret failed; only a valid device token can still admit the socket, else this applies. */
  readonly deferredAuthFailure: Extract<HandshakeDecision, { kind: 'reject' }> | null;
}

/** What to do with the first frame(s) of a socket. */
export type HandshakeDecision =
  | { readonly kind: 'admit'; readonly admission: Admission }
  | { readonly kind: 'reject'; readonly response: ResponseFrame | null; readonly close: { code: number; reason: string } };

/** What to do with a request on an open socket. */
export type RequestDecision =
  | { readonly kind: 'dispatch'; readonly id: string; readonly method: string; readonly params: unknown }
  | { readonly kind: 'respond'; readonly response: ResponseFrame }
  | { readonly kind: 'ignore' };

/** A failed response from the catalogue, with an optional message suffix and details. */
export function errorResponse(id: string, key: ErrorKey, options: { message?: string; details?: unknown } = {}): ResponseFrame {
  const entry = ERRORS[key];
  const error: ErrorShape = { code: entry.code ?? 'INVALID_REQUEST', message: options.message ?? entry.message };
  if (options.details !== undefined) error.details = options.details;
  return { type: 'res', id, ok: false, error };
}

function reject(key: ErrorKey, id: string | null, options: { message?: string; details?: unknown } = {}): HandshakeDecision {
  const entry = ERRORS[key];
  const message = options.message ?? entry.message;
  const response = entry.code !== null && id !== null ? errorResponse(id, key, options) : null;
  return { kind: 'reject', response, close: { code: entry.close ?? 1008, reason: message } };
}

/** Compares secrets without an early exit on the first differing character. */
export function secretsEqual(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i += 1) diff |= (given.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return diff === 0;
}

/** The version window a client falls into (PROTOCOL.md §2.3). */
export function acceptsProtocol(params: ConnectParams, role: Role): boolean {
  const { minProtocol: min, maxProtocol: max } = params;
  if (max >= MIN_CLIENT_PROTOCOL_VERSION && min <= PROTOCOL_VERSION) return true;
  if (params.client.mode === 'probe' && max >= MIN_PROBE_PROTOCOL_VERSION && min <= PROTOCOL_VERSION) return true;
  if (role === 'node' && params.client.mode === 'node' && max >= NODE_PROTOCOL_VERSION && min <= NODE_PROTOCOL_VERSION) return true;
  return false;
}

const UNTRACKED_MODES = new Set(['cli', 'backend', 'probe']);

/** Decides the fate of a socket's first frame: admit with an identity, or reject and close. */
export function decideConnect(
  input: { connId: string; auth: AuthPolicy; socketOrigin?: SocketOrigin },
  data: unknown,
  bytes: number,
  authRetryAfterMs?: number,
): HandshakeDecision {
  if (bytes > MAX_PREAUTH_PAYLOAD_BYTES) return reject('PREAUTH_TOO_LARGE', null);
  if (data === undefined) return reject('UNPARSABLE_FIRST_FRAME', null);
  if (!isRequestFrame(data)) return reject('INVALID_FIRST_FRAME', null);
  const id = data.id;
  if (data.method !== 'connect') return reject('FIRST_REQUEST_NOT_CONNECT', id);
  const params = data.params ?? {};
  if (!isConnectParams(params)) {
    return reject('INVALID_CONNECT_PARAMS', id, { message: `invalid connect params: ${isConnectParams.lastError()}` });
  }
  const role = params.role ?? 'operator';
  if (!(ROLES as readonly string[]).includes(role)) return reject('INVALID_ROLE', id);
  const typedRole = role as Role;
  if (!acceptsProtocol(params, typedRole)) {
    return reject('PROTOCOL_MISMATCH', id, {
      details: {
        code: 'PROTOCOL_MISMATCH',
        clientMinProtocol: params.minProtocol,
        clientMaxProtocol: params.maxProtocol,
        expectedProtocol: PROTOCOL_VERSION,
        minimumProbeProtocol: MIN_PROBE_PROTOCOL_VERSION,
      },
    });
  }
  const browserRefused = browserConnectRefusal(input.socketOrigin, params);
  if (browserRefused) return reject(browserRefused.key, id, { details: browserRefused.details });
  if (authRetryAfterMs !== undefined && input.auth.mode !== 'none') return rateLimited(id, authRetryAfterMs);
  const authFailure = checkSharedSecret(input.auth, params, id);
  // With a device, a failed shared secret may still be a device token (NODES.md §1.4): decided while admitting.
  const mayBeDeviceToken = params.device !== undefined && Boolean(params.auth?.deviceToken || params.auth?.token);
  if (authFailure && (!mayBeDeviceToken || authFailure.kind !== 'reject')) return authFailure;
  if (typedRole === 'node' && !params.device) {
    return reject('DEVICE_IDENTITY_REQUIRED', id, { details: { code: 'DEVICE_IDENTITY_REQUIRED' } });
  }
  const tracked = !UNTRACKED_MODES.has(params.client.mode);
  const presenceKey = !tracked
    ? null
    : typedRole === 'node'
      ? `node:${(params.device?.id ?? params.client.instanceId ?? input.connId).toLowerCase()}`
      : `conn:${input.connId}`;
  return {
    kind: 'admit',
    admission: {
      requestId: id,
      role: typedRole,
      scopes: typedRole === 'node' ? [] : [...new Set(params.scopes ?? [])],
      client: params.client,
      presenceKey,
      caps: params.caps ?? [],
      device: params.device
        ? {
            params,
            sharedSecret: authFailure ? 'none' : input.auth.mode,
            deferredAuthFailure: authFailure?.kind === 'reject' ? authFailure : null,
          }
        : null,
    },
  };
}

/** AUTH_RATE_LIMITED, retryable after `retryAfterMs` (as the official answers it). */
function rateLimited(id: string, retryAfterMs: number): HandshakeDecision {
  const decision = reject('AUTH_RATE_LIMITED', id, { details: { code: 'AUTH_RATE_LIMITED', authReason: 'rate_limited', ...AUTH_FAILURE_DETAILS } });
  if (decision.kind === 'reject' && decision.response?.error) {
    decision.response.error.retryable = true;
    decision.response.error.retryAfterMs = Math.max(0, Math.ceil(retryAfterMs));
  }
  return decision;
}

function checkSharedSecret(auth: AuthPolicy, params: ConnectParams, id: string): HandshakeDecision | null {
  if (auth.mode === 'none') return null;
  if (auth.mode === 'trusted-proxy') {
    const failure = trustedProxyFailure(auth, params.auth?.password);
    const message = failure?.key === 'AUTH_PASSWORD_MISMATCH' ? undefined : `unauthorized: trusted proxy auth failed (${failure?.reason})`;
    return failure && reject(failure.key, id, { ...(message ? { message } : {}), details: { code: failure.key, authReason: failure.reason, ...AUTH_FAILURE_DETAILS } });
  }
  const expected = auth.secret ?? '';
  const given = [params.auth?.token, params.auth?.password].filter((v): v is string => typeof v === 'string' && v.length > 0);
  const password = auth.mode === 'password';
  if (given.length === 0) {
    const key = password ? 'AUTH_PASSWORD_MISSING' : 'AUTH_TOKEN_MISSING';
    return reject(key, id, { details: { code: key, authReason: password ? 'password_missing' : 'token_missing', ...AUTH_FAILURE_DETAILS } });
  }
  if (expected.length > 0 && given.some((value) => secretsEqual(value, expected))) return null;
  const key = password ? 'AUTH_PASSWORD_MISMATCH' : 'AUTH_TOKEN_MISMATCH';
  return reject(key, id, { details: { code: key, authReason: password ? 'password_mismatch' : 'token_mismatch', ...AUTH_FAILURE_DETAILS } });
}

/** Routes a frame on an authenticated socket: dispatch to a handler, or answer an error now. */
export function routeRequest(identity: { role: Role; scopes: readonly string[] }, data: unknown): RequestDecision {
  if (data === undefined) return { kind: 'ignore' };
  if (!isRequestFrame(data)) {
    const raw = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
    const id = typeof raw === 'string' && raw.length > 0 ? raw : 'invalid';
    return { kind: 'respond', response: errorResponse(id, 'INVALID_REQUEST_FRAME', { message: `invalid request frame: ${isRequestFrame.lastError()}` }) };
  }
  const { id, method } = data;
  if (method === 'connect') return { kind: 'respond', response: errorResponse(id, 'CONNECT_ALREADY_DONE') };
  const spec = METHODS.get(method);
  if (!spec) return { kind: 'respond', response: errorResponse(id, 'UNKNOWN_METHOD', { message: `unknown method: ${method}` }) };
  if (spec.role !== identity.role) {
    return { kind: 'respond', response: errorResponse(id, 'UNAUTHORIZED_ROLE', { message: `unauthorized role: ${identity.role}` }) };
  }
  if (spec.scope !== null && !hasScope(identity.scopes, spec.scope)) {
    return {
      kind: 'respond',
      response: errorResponse(id, 'MISSING_SCOPE', {
        message: `missing scope: ${spec.scope}`,
        details: { code: 'MISSING_SCOPE', missingScope: spec.scope, requiredScopes: [spec.scope] },
      }),
    };
  }
  const params = data.params ?? {};
  if (!spec.validate(params)) {
    return { kind: 'respond', response: errorResponse(id, 'INVALID_PARAMS', { message: `invalid ${method} params: ${spec.validate.lastError()}` }) };
  }
  return { kind: 'dispatch', id, method, params };
}
