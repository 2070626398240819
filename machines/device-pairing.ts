/**
 * Device pairing and node surface rules (NODES.md §2.2–2.5): what a connect with a verified device
 * proof needs (nothing, a silent approval, or an operator's approval), which declared node
 * commands the policy lets through, and which scopes approving a surface takes. Pure: the device's
 * state (folded from its `device:<id>` stream), the clock and the policy arrive as arguments.
 *
 *   connect (proof ok) ──► decideDevicePairing
 *       ├─ covered by the approval ───────────────► admit (token)
 *       ├─ silent allowed (direct loopback, …) ───► device.pair.approved{silent} ─► admit
 *       └─ otherwise ─────────────────────────────► device.pair.requested (or reuse) ─► PAIRING_REQUIRED
 *   node admitted ──► decideNodeSurface: declared ∩ allowlist ⊆ approved? ─ no ─► node.pair.requested
 */
import { hasScope } from '../protocol/scopes.js';
import type { PairingReason } from '../protocol/devices.js';

/** Pending device requests live this long (`DEVICE_PAIRING_PENDING_TTL_MS`). */
export const DEVICE_PAIRING_PENDING_TTL_MS = 300_000;

/** Where a connect came from (§2.3): a loopback socket without forwarding headers is direct. */
export type Locality = 'direct_local' | 'remote';

/** What the pairing rules need of a device's current state. */
export interface DevicePairingView {
  readonly paired: {
    readonly roles: readonly string[];
    readonly scopes: readonly string[];
    readonly platform?: string | undefined;
    readonly deviceFamily?: string | undefined;
  } | null;
  readonly pending: { readonly requestId: string; readonly role: string; readonly scopes: readonly string[]; readonly ts: number } | null;
}

/** One connect, as the pairing rules see it. */
export interface PairingClaim {
  readonly role: string;
  readonly scopes: readonly string[];
  readonly platform?: string | undefined;
  readonly deviceFamily?: string | undefined;
  readonly locality: Locality;
  /** The upgrade request carried a browser `Origin`. */
  readonly browserOrigin: boolean;
  /** The client is the Control UI or WebChat (browser clients that may pair silently on loopback). */
  readonly uiClient: boolean;
  readonly authMethod: 'none' | 'token' | 'password' | 'trusted-proxy' | 'device-token';
}

/** What a connect needs before it is admitted. */
export type PairingDecision =
  | { readonly kind: 'covered' }
  | { readonly kind: 'approve-silently'; readonly reason: PairingReason }
  | { readonly kind: 'request'; readonly reason: PairingReason; readonly reuseRequestId: string | null; readonly supersedeRequestId: string | null };

/** Lower-cases ASCII after trimming, as the signed v3 string does; `""` for absent. */
export const normalizeMetadata = (value: string | undefined): string => (value ?? '').trim().replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The pending request, unless it expired at `now`. */
export function livePending(view: DevicePairingView, now: number): DevicePairingView['pending'] {
  const pending = view.pending;
  return pending && now - pending.ts < DEVICE_PAIRING_PENDING_TTL_MS ? pending : null;
}

function reasonFor(view: DevicePairingView, claim: PairingClaim): PairingReason | null {
  const paired = view.paired;
  if (!paired) return 'not-paired';
  if (!paired.roles.includes(claim.role)) return 'role-upgrade';
  if (claim.role === 'operator' && !claim.scopes.every((scope) => hasScope(paired.scopes, scope))) return 'scope-upgrade';
  if (paired.platform !== undefined && normalizeMetadata(paired.platform) !== normalizeMetadata(claim.platform)) return 'metadata-upgrade';
  if (paired.deviceFamily !== undefined && normalizeMetadata(paired.deviceFamily) !== normalizeMetadata(claim.deviceFamily)) return 'metadata-upgrade';
  return null;
}

/** `shouldAllowSilentLocalPairing` (§2.3). */
export function allowsSilentPairing(reason: PairingReason, claim: PairingClaim, alreadyPaired: boolean, autoApproveLocal: boolean): boolean {
  if (claim.locality !== 'direct_local') return false;
  if (claim.browserOrigin && !claim.uiClient) return false;
  if (reason === 'metadata-upgrade') return claim.authMethod === 'token' || claim.authMethod === 'password';
  if (!autoApproveLocal) return false;
  if (alreadyPaired && claim.role !== 'operator') return false;
  if (reason === 'scope-upgrade') return claim.authMethod !== 'device-token';
  return true;
}

/** Decides what a connect with a verified proof needs (§2.2). */
export function decideDevicePairing(
  view: DevicePairingView,
  claim: PairingClaim,
  policy: { readonly autoApproveLocal: boolean },
  now: number,
): PairingDecision {
  const reason = reasonFor(view, claim);
  if (reason === null) return { kind: 'covered' };
  if (allowsSilentPairing(reason, claim, view.paired !== null, policy.autoApproveLocal)) return { kind: 'approve-silently', reason };
  const pending = livePending(view, now);
  const same = pending !== null && pending.role === claim.role && sameSet(pending.scopes, claim.scopes);
  return {
    kind: 'request',
    reason,
    reuseRequestId: same ? pending.requestId : null,
    supersedeRequestId: pending !== null && !same ? pending.requestId : null,
  };
}

/** The roles and scopes a device holds once `claim` is approved on top of `view`. */
export function approvedSets(view: DevicePairingView, claim: { role: string; scopes: readonly string[] }): { roles: string[]; scopes: string[] } {
  const roles = [...new Set([...(view.paired?.roles ?? []), claim.role])];
  const scopes = [...new Set([...(view.paired?.scopes ?? []), ...claim.scopes])];
  return { roles, scopes };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Commands each platform lets a node expose by default (NODES.md §2.5, observed on linux). */
const HEADLESS_COMMANDS = [
  'browser.proxy', 'browser.proxy.upload.v1', 'desktop.stream', 'fs.listDir', 'mcp.tools.call.v1', 'ollama.chat',
  'ollama.models', 'system.execApprovals.get', 'system.execApprovals.set', 'system.run', 'system.run.prepare',
  'system.which', 'terminal.upload', 'system.notify',
];
const DEVICE_COMMANDS = [
  ...HEADLESS_COMMANDS, 'canvas.present', 'canvas.hide', 'canvas.navigate', 'canvas.eval', 'canvas.snapshot',
  'canvas.a2ui.push', 'canvas.a2ui.pushJSONL', 'canvas.a2ui.reset', 'camera.list', 'camera.snap', 'camera.clip',
  'screen.record', 'location.get',
];
const PLATFORM_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  linux: HEADLESS_COMMANDS, windows: HEADLESS_COMMANDS, macos: DEVICE_COMMANDS, darwin: DEVICE_COMMANDS,
  ios: DEVICE_COMMANDS, ipados: DEVICE_COMMANDS, android: DEVICE_COMMANDS,
};

/** The node command policy: platform defaults plus `gateway.nodes.commands.allow`, minus `deny`. */
export interface CommandPolicy {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** Whether `command` may be exposed by a node on `platform` under `policy`. */
export function isCommandAllowed(platform: string | undefined, command: string, policy: CommandPolicy): boolean {
  if (policy.deny.includes(command)) return false;
  if (policy.allow.includes(command)) return true;
  const defaults = PLATFORM_COMMANDS[normalizeMetadata(platform)] ?? HEADLESS_COMMANDS;
  return defaults.includes(command);
}

/** Declared commands split into those the pairing allowlist keeps and those withheld. */
export function filterDeclaredCommands(platform: string | undefined, commands: readonly string[], policy: CommandPolicy): { allowed: string[]; withheld: string[] } {
  const allowed: string[] = [];
  const withheld: string[] = [];
  for (const command of new Set(commands)) (isCommandAllowed(platform, command, policy) ? allowed : withheld).push(command);
  return { allowed, withheld };
}

const ADMIN_COMMANDS = new Set([
  'system.run', 'system.run.prepare', 'system.which', 'browser.proxy', 'browser.proxy.upload.v1', 'fs.listDir',
  'system.execApprovals.get', 'system.execApprovals.set',
]);

/** Scopes approving a surface takes: pairing; + write for ordinary commands; + admin for exec-class ones. */
export function requiredApproveScopes(commands: readonly string[]): string[] {
  if (commands.length === 0) return ['operator.pairing'];
  if (commands.some((command) => ADMIN_COMMANDS.has(command))) return ['operator.pairing', 'operator.admin'];
  return ['operator.pairing', 'operator.write'];
}

/** What a node's surface needs at connect. */
export type SurfaceDecision =
  | { readonly kind: 'approved' }
  | { readonly kind: 'request'; readonly reuseRequestId: string | null };

/** `reconcileNodePairingOnConnect` (§2.5): declared (already filtered) within the approved surface? */
export function decideNodeSurface(
  surface: {
    readonly approved: { readonly caps: readonly string[]; readonly commands: readonly string[] } | null;
    readonly pending: { readonly requestId: string; readonly caps: readonly string[]; readonly commands: readonly string[] } | null;
  },
  declared: { readonly caps: readonly string[]; readonly commands: readonly string[] },
): SurfaceDecision {
  const approved = surface.approved;
  if (approved && declared.caps.every((c) => approved.caps.includes(c)) && declared.commands.every((c) => approved.commands.includes(c))) {
    return { kind: 'approved' };
  }
  const pending = surface.pending;
  const same = pending !== null && sameSet(pending.caps, declared.caps) && sameSet(pending.commands, declared.commands);
  return { kind: 'request', reuseRequestId: same ? pending.requestId : null };
}
