/** Wire protocol and limit constants (PROTOCOL.md §1.2, §2.3). */

/** The protocol version this server speaks; `hello-ok.protocol` is always this. */
export const PROTOCOL_VERSION = 4;
/** Oldest protocol an operator client may ask for. */
export const MIN_CLIENT_PROTOCOL_VERSION = 4;
/** Oldest protocol a `probe` client may ask for. */
export const MIN_PROBE_PROTOCOL_VERSION = 3;
/** Protocol of the N-1 node window (`role:"node"`, `client.mode:"node"`). */
export const NODE_PROTOCOL_VERSION = 3;

/** Our server version, reported in `hello-ok.server.version`, `status` and presence. */
export const SERVER_VERSION = '2026.9.6-actor.1';

/** Largest frame accepted before `connect` succeeds; bigger closes with 1009. */
export const MAX_PREAUTH_PAYLOAD_BYTES = 65_536;
/** `policy.maxPayload`: largest frame after the handshake. */
export const MAX_PAYLOAD_BYTES = 26_214_400;
/** `policy.maxBufferedBytes`: a socket buffering more is a slow consumer. */
export const MAX_BUFFERED_BYTES = 52_428_800;
/** `policy.tickIntervalMs`: the ticker sends `tick` at least this often. */
export const TICK_INTERVAL_MS = 30_000;
/** Time a socket has to complete `connect` before it is closed with 1000. */
export const HANDSHAKE_TIMEOUT_MS = 15_000;
/** Requests a client may send while its `connect` is still being admitted. */
export const MAX_PENDING_HANDSHAKE_FRAMES = 32;
/** Capabilities advertised in `connect.challenge`. */
export const CHALLENGE_CAPABILITIES: readonly string[] = [];
