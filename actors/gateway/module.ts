import type { Hono } from 'hono';
import type { GatewayFileConfig } from '../../protocol/config.js';
import type { HealthSnapshot } from '../../protocol/health.js';
import type { AnyActorRef } from 'xstate';
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
