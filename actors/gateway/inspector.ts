import type { AnyActorRef, InspectionEvent, Observer, Subscription } from 'xstate';

type ActorLike = { readonly id?: string; readonly sessionId?: string };
import type { InspectedActor, InspectedTransition } from '../../protocol/methods/inspect.js';

/** Methods the inspector answers (a gateway module of the core system). */
export const INSPECTOR_METHODS = ['gateway.inspect'] as const;

/** Transitions kept in the ring. */
const CAPACITY = 500;

const machineOf = (actor: ActorLike): string => (actor as { logic?: { id?: string } }).logic?.id ?? 'actor';
const labelOf = (actor: ActorLike): string => actor.id ?? actor.sessionId ?? machineOf(actor);

/**
 * The state-machine inspector: a bounded ring of recent transitions, fed by xstate's inspection
 * API only while a watch is on. Actors opt in by passing `observer` at creation (`optionsFor`), or
 * are attached to when a watch starts (`watch`); outside a watch the observer returns at once.
 */
export class Inspector {
  private readonly ring: InspectedTransition[] = [];
  private counter = 0;
  private until = 0;
  private readonly attached = new WeakMap<AnyActorRef, Subscription>();
  /** Last snapshot recorded per actor: an actor observed both at creation and by a later watch reports each snapshot twice. */
  private readonly lastSnapshot = new WeakMap<object, unknown>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True while a watch is on. */
  get watching(): boolean {
    return this.now() < this.until;
  }

  /** Epoch ms the current watch ends at (0 when none was ever asked for). */
  get watchingUntil(): number {
    return this.until;
  }

  /** Options for `createActor`: the inspection observer while a watch is on, nothing otherwise. */
  optionsFor(): { inspect?: Observer<InspectionEvent> } {
    return this.watching ? { inspect: this.observer } : {};
  }

  /** Records transitions for `ms` more and attaches to the live actors that are not yet observed. */
  watch(ms: number, live: Iterable<AnyActorRef>): void {
    if (ms <= 0) return;
    this.until = Math.max(this.until, this.now() + ms);
    for (const actor of live) {
      if (!this.attached.has(actor)) this.attached.set(actor, actor.system.inspect(this.observer));
    }
  }

  /** Transitions recorded after `since` (oldest first) and the cursor for the next read. */
  transitionsAfter(since: number): { transitions: InspectedTransition[]; cursor: number } {
    return { transitions: this.ring.filter((t) => t.n > since), cursor: this.counter };
  }

  /** What a live actor looks like right now. */
  static describe(actor: AnyActorRef): InspectedActor {
    const snapshot = actor.getSnapshot() as { value?: unknown; status?: string };
    return { id: labelOf(actor), machine: machineOf(actor), state: snapshot.value ?? null, status: snapshot.status ?? 'active' };
  }

  private readonly observer: Observer<InspectionEvent> = {
    next: (event) => {
      if (event.type !== '@xstate.snapshot' || !this.watching) return;
      if (this.lastSnapshot.get(event.actorRef) === event.snapshot) return;
      this.lastSnapshot.set(event.actorRef, event.snapshot);
      const snapshot = event.snapshot as { value?: unknown; status?: string };
      this.counter += 1;
      this.ring.push({
        n: this.counter,
        ts: this.now(),
        actor: labelOf(event.actorRef),
        machine: machineOf(event.actorRef),
        event: event.event.type,
        state: snapshot.value ?? null,
        status: snapshot.status ?? 'active',
      });
      if (this.ring.length > CAPACITY) this.ring.shift();
    },
  };
}
