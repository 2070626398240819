import type { Hono } from 'hono';
import type { GatewayFileConfig } from '../../protocol/config.js';
import type { HealthSnapshot } from '../../protocol/health.js';
import type { AnyActorRef } from 'xstate';
import type { Admission, HandshakeDecision } from '../../machines/connection-rules.js';
import type { JournalEntry } from '../../store/journal.js';
import type { GatewayServices, MethodHandler } from './methods/context.js';
import type { OutgoingEvent } from './outgoing-event.js';

/**
 * A feature plugged into the gateway (agent runs, logs, canvas…): its method handlers, HTTP
 * routes, and how its journal facts become events. Created once per gateway start with the
 * services; `stop` runs during the drain, before the journal closes.
 */
export interface GatewayModule {
  readonly name: string;
  /** Handlers by wire method name; each name must be in protocol/registry.ts. */
  readonly methods?: Readonly<Record<string, MethodHandler>>;
  /** Adds HTTP routes to the gateway's router (same port). */
  routes?(app: Hono): void;
  /** Maps a committed entry of a non-`gateway` stream to an event (or several, in order), or null. */
  eventOf?(entry: JournalEntry): OutgoingEvent | readonly OutgoingEvent[] | null;
  /** The module's live actors, for the state-machine inspector. */
  actors?(): Iterable<AnyActorRef>;
  /**
   * The device step of `connect` (actors/nodes): verifies the proof of an admission that carries a
   * `device`, pairs it, and returns the admission (enriched) or a refusal.
   */
  admitDevice?(request: DeviceAdmitRequest): Promise<HandshakeDecision>;
  /** A socket closed (admitted or not). */
  connectionClosed?(connId: string): void;
  /** Called once the transport listens. */
  start?(): Promise<void> | void;
  /** The module's part of the health snapshot (channels: `channels`, `channelOrder`, `channelLabels`). */
  health?(): Partial<Pick<HealthSnapshot, 'channels' | 'channelOrder' | 'channelLabels'>>;
  /** Hot reload: the new config file (a module applies what it owns, e.g. `channels.*`). */
  reconfigure?(config: GatewayFileConfig): Promise<void> | void;
  /** Called while draining, before sockets close and the journal closes. */
  stop?(reason: string): Promise<void> | void;
}

/** Builds a module from the running gateway's services. */
export type GatewayModuleFactory = (services: GatewayServices) => GatewayModule;

/** What the device step of `connect` gets: the socket, its challenge nonce and the admission so far. */
export interface DeviceAdmitRequest {
  readonly connId: string;
  readonly nonce: string;
  readonly admission: Admission;
  readonly socket: { readonly isLoopback: boolean; readonly origin: string | undefined; readonly forwarded?: boolean; readonly remoteAddress: string };
}
