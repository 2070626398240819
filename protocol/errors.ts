/**
 * The error catalogue: every wire code and `details.code` the gateway emits, with its default
 * message and, where the connection must end, the WebSocket close code (PROTOCOL.md §3).
 * Codes are API: never renamed or reused. The README lists each of them (a test checks it).
 */

/** Top-level wire error codes. */
export const WIRE_CODES = [
  'INVALID_REQUEST', 'FORBIDDEN', 'UNAVAILABLE', 'NOT_PAIRED', 'APPROVAL_NOT_FOUND', 'NOT_LINKED', 'AGENT_TIMEOUT',
] as const;
export type WireCode = (typeof WIRE_CODES)[number];

interface CatalogueEntry {
  /** Wire `error.code`, or null when the socket is closed without a response. */
  readonly code: WireCode | null;
  /** Close code when the connection must end, or null when it stays open. */
  readonly close: number | null;
  readonly message: string;
  /** Sent as `error.retryable` where the official server marks the failure retryable. */
  readonly retryable?: boolean;
}

/** Failures, keyed by their `details.code` (or a descriptive key when there is none on the wire). */
export const ERRORS = {
  // Handshake (PROTOCOL.md §2.6).
  HANDSHAKE_TIMEOUT: { code: null, close: 1000, message: '' },
  UNPARSABLE_FIRST_FRAME: { code: null, close: 1000, message: '' },
  INVALID_FIRST_FRAME: { code: null, close: 1008, message: 'invalid request frame' },
  FIRST_REQUEST_NOT_CONNECT: { code: 'INVALID_REQUEST', close: 1008, message: 'invalid handshake: first request must be connect' },
  INVALID_CONNECT_PARAMS: { code: 'INVALID_REQUEST', close: 1008, message: 'invalid connect params' },
  PROTOCOL_MISMATCH: { code: 'INVALID_REQUEST', close: 1002, message: 'protocol mismatch' },
  INVALID_ROLE: { code: 'INVALID_REQUEST', close: 1008, message: 'invalid role' },
  AUTH_TOKEN_MISSING: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized: gateway token missing (provide auth.token or auth.password)' },
  AUTH_TOKEN_MISMATCH: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized: gateway token mismatch (check the token in your config or OPENCLAW_GATEWAY_TOKEN)' },
  AUTH_PASSWORD_MISSING: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized: gateway password missing (provide auth.password)' },
  AUTH_PASSWORD_MISMATCH: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized: gateway password mismatch' },
  AUTH_UNAUTHORIZED: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized' },
  AUTH_IDENTITY_HEADER_REQUIRED: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized: trusted proxy identity header missing' },
  DEVICE_IDENTITY_REQUIRED: { code: 'NOT_PAIRED', close: 1008, message: 'device identity required' },
  CONTROL_UI_ORIGIN_NOT_ALLOWED: {
    code: 'INVALID_REQUEST',
    close: 1008,
    message: 'origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)',
  },
  CONTROL_UI_DEVICE_IDENTITY_REQUIRED: {
    code: 'INVALID_REQUEST',
    close: 1008,
    message: 'control ui requires device identity (use HTTPS or localhost secure context)',
  },
  // Device proof and pairing at connect (NODES.md §1.4, §2.2).
  DEVICE_AUTH_DEVICE_ID_MISMATCH: { code: 'INVALID_REQUEST', close: 1008, message: 'device identity mismatch' },
  DEVICE_AUTH_SIGNATURE_EXPIRED: { code: 'INVALID_REQUEST', close: 1008, message: 'device signature expired' },
  DEVICE_AUTH_NONCE_REQUIRED: { code: 'INVALID_REQUEST', close: 1008, message: 'device nonce required' },
  DEVICE_AUTH_NONCE_MISMATCH: { code: 'INVALID_REQUEST', close: 1008, message: 'device nonce mismatch' },
  DEVICE_AUTH_SIGNATURE_INVALID: { code: 'INVALID_REQUEST', close: 1008, message: 'device signature invalid' },
  DEVICE_AUTH_PUBLIC_KEY_INVALID: { code: 'INVALID_REQUEST', close: 1008, message: 'device public key invalid' },
  AUTH_DEVICE_TOKEN_MISMATCH: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized: device token mismatch (rotate/reissue device token)' },
  PAIRING_REQUIRED: { code: 'NOT_PAIRED', close: 1008, message: 'pairing required: device is not approved yet' },
  DEVICE_REMOVED: { code: null, close: 4001, message: 'device removed' },
  AUTH_RATE_LIMITED: { code: 'INVALID_REQUEST', close: 1008, message: 'unauthorized: too many failed authentication attempts (retry later)' },
  PREAUTH_TOO_LARGE: { code: null, close: 1009, message: 'preauth payload too large' },
  TOO_MANY_PENDING_FRAMES: { code: null, close: 1008, message: 'too many pending handshake frames' },
  // After the handshake.
  CONNECT_ALREADY_DONE: { code: 'INVALID_REQUEST', close: null, message: 'connect is only valid as the first request' },
  INVALID_REQUEST_FRAME: { code: 'INVALID_REQUEST', close: null, message: 'invalid request frame' },
  UNKNOWN_METHOD: { code: 'INVALID_REQUEST', close: null, message: 'unknown method' },
  INVALID_PARAMS: { code: 'INVALID_REQUEST', close: null, message: 'invalid params' },
  MISSING_SCOPE: { code: 'FORBIDDEN', close: null, message: 'missing scope' },
  UNAUTHORIZED_ROLE: { code: 'FORBIDDEN', close: null, message: 'unauthorized role' },
  INTERNAL_ERROR: { code: 'UNAVAILABLE', close: null, message: 'internal error' },
  SHUTTING_DOWN: { code: 'UNAVAILABLE', close: null, message: 'gateway is shutting down' },
  JOURNAL_UNAVAILABLE: { code: 'UNAVAILABLE', close: null, message: 'the journal is not writable (disk full or read-only); nothing was changed, retry later' },
  // Agent runs (`agent`, `chat.*`, `agent.wait`).
  UNKNOWN_AGENT: { code: 'INVALID_REQUEST', close: null, message: 'unknown agent id' },
  UNKNOWN_MODEL: { code: 'INVALID_REQUEST', close: null, message: 'unknown model provider' },
  PROVIDER_FAILED: { code: 'UNAVAILABLE', close: null, message: 'model provider failed' },
  RUN_TIMEOUT: { code: 'AGENT_TIMEOUT', close: null, message: 'agent run timed out' },
  RUN_INTERRUPTED: { code: 'UNAVAILABLE', close: null, message: 'the gateway stopped during the run' },
  EMBEDDINGS_UNSUPPORTED: { code: 'UNAVAILABLE', close: null, message: 'the configured provider has no embeddings' },
  // WhatsApp QR login (`web.login.*`; CHANNELS.md §3.6).
  WEB_LOGIN_UNAVAILABLE: { code: 'INVALID_REQUEST', close: null, message: 'web login provider is not available' },
  // Devices and nodes (NODES.md §2.6, §3.7).
  UNKNOWN_PAIRING_REQUEST: { code: 'INVALID_REQUEST', close: null, message: 'unknown requestId' },
  UNKNOWN_DEVICE: { code: 'INVALID_REQUEST', close: null, message: 'unknown deviceId' },
  UNKNOWN_NODE: { code: 'INVALID_REQUEST', close: null, message: 'unknown nodeId' },
  PAIRING_APPROVAL_DENIED: { code: 'INVALID_REQUEST', close: null, message: 'device pairing approval denied' },
  NODE_COMMAND_NOT_ALLOWED: { code: 'INVALID_REQUEST', close: null, message: 'node command not allowed' },
  NODE_SURFACE_PENDING: { code: 'UNAVAILABLE', close: null, message: 'node capability surface is awaiting operator approval; run `openclaw nodes approve <id>` (see `openclaw nodes pending`), then this node retries automatically' },
  NODE_SURFACE_NOT_CURRENT: { code: 'UNAVAILABLE', close: null, message: 'node runner inventory publication is not current; retry after pairing completes' },
  NOT_CONNECTED: { code: 'UNAVAILABLE', close: null, message: 'node not connected' },
  PAIRING_CHANGED: { code: 'UNAVAILABLE', close: null, message: 'node pairing changed while invocation was active', retryable: true },
  NODE_INVOKE_FAILED: { code: 'UNAVAILABLE', close: null, message: 'node invoke failed' },
  UNKNOWN_INVOKE: { code: 'INVALID_REQUEST', close: null, message: 'unknown invoke id' },
  // Channels (`send`, `message.action`, `channels.*`; CHANNELS.md §3).
  CHANNEL_REQUIRED: { code: 'INVALID_REQUEST', close: null, message: 'Error: Channel is required (no configured channels detected).' },
  CHANNEL_UNSUPPORTED: { code: 'INVALID_REQUEST', close: null, message: 'unsupported channel' },
  CHANNEL_UNKNOWN: { code: 'INVALID_REQUEST', close: null, message: 'unknown channel' },
  CHANNEL_ACCOUNT_UNKNOWN: { code: 'INVALID_REQUEST', close: null, message: 'unknown account for channel' },
  CHANNEL_TARGET_INVALID: { code: 'INVALID_REQUEST', close: null, message: 'invalid target for channel' },
  SEND_CONTENT_REQUIRED: { code: 'INVALID_REQUEST', close: null, message: 'invalid send params: text or media is required' },
  MESSAGE_ACTION_UNSUPPORTED: { code: 'INVALID_REQUEST', close: null, message: 'unsupported message action' },
  CHANNEL_LOGOUT_INVALID: { code: 'INVALID_REQUEST', close: null, message: 'invalid channels.logout channel' },
  CHANNEL_CONFIG_INVALID: { code: 'INVALID_REQUEST', close: null, message: 'config invalid; fix it before logging out' },
  PAIRING_CHANNEL_UNKNOWN: { code: 'INVALID_REQUEST', close: null, message: 'Error: unknown pairing channel' },
  PAIRING_REQUEST_UNKNOWN: { code: 'INVALID_REQUEST', close: null, message: 'pending DM access request no longer exists' },
  OUTBOUND_DELIVERY_QUEUED: { code: 'UNAVAILABLE', close: null, message: 'OutboundDeliveryError: the channel could not deliver the message' },
  CHANNEL_NOT_LINKED: { code: 'NOT_LINKED', close: null, message: 'the channel account is not linked' },
  // Secrets (`secrets.reload`).
  SECRETS_RELOAD_FAILED: { code: 'UNAVAILABLE', close: null, message: 'secrets.reload failed' },
  // Connection lifecycle.
  SLOW_CONSUMER: { code: null, close: 1008, message: 'slow consumer' },
  SERVICE_RESTART: { code: null, close: 1012, message: 'service restart' },
} as const satisfies Record<string, CatalogueEntry>;
export type ErrorKey = keyof typeof ERRORS;

/** Recommended next steps carried by auth failures (PROTOCOL.md §3.2). */
export const AUTH_FAILURE_DETAILS = {
  canRetryWithDeviceToken: false,
  recommendedNextStep: 'update_auth_credentials',
} as const;
