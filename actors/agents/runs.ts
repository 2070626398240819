import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor, AnyActorRef } from 'xstate';
import type { agentRunMachine } from '../../machines/agent-run.js';
import { resolveSession, type DmScope } from '../../machines/session-routing.js';
import type { FactData } from '../../protocol/facts.js';
import { isTerminalRunFact, runIdOfStream, runStream } from '../../protocol/run-facts.js';
import { checkpointActiveRuns, rebuildActiveRuns } from '../../store/active-runs.js';
import type { Journal, JournalEntry } from '../../store/journal.js';
import { runEventsOf, type RunEventFrame } from '../../store/run-events.js';
import { ZERO_USAGE, foldRunRecord, isEnded, runRecordOf, type RunRecord } from '../../store/run-record.js';
import type { AgentDescriptor } from '../gateway/health-monitor.js';
import type { Logger } from '../logs/logger.js';
import { MethodError, sessionStream, type GatewayServices } from '../gateway/methods/context.js';
import type { OutgoingEvent } from '../gateway/outgoing-event.js';
import { outcomeOf } from './final-reply.js';
import { GatewayTools } from './gateway-tools.js';
import { ModelProviders, OFFLINE_REF, type ProviderConfig } from './providers/registry.js';
import { ProviderError } from './providers/types.js';
import { startRunActor } from './run-actor.js';
import type { RunAccepted, RunEvent, RunOutcome, RunService, StartRunRequest } from './run-service.js';
import { SessionLanes } from './session-lanes.js';

/** How agent runs are set up (resolved from config and env by bin/). */
export interface AgentRunsOptions {
  readonly providers: readonly ProviderConfig[];
  /** Model of agents that name none: `"<provider>/<model>"` (default: the offline provider). */
  readonly defaultModel?: string;
  readonly defaultTimeoutMs: number;
  readonly dmScope?: DmScope;
  /** Model rounds that may end in tool calls before the run must answer (default 4). */
  readonly maxToolRounds?: number;
}

const CHECKPOINT_EVERY_RUN_FACTS = 2000;
const STOP_GRACE_MS = 2000;
const AGENTS_FILE_MAX_BYTES = 16 * 1024;

interface Subscriber {
  readonly listener: (event: RunEvent) => void;
  /** Positions up to this one were replayed at subscribe time. */
  readonly after: number;
}

/**
 * The agent runs of one gateway: accepts runs (journal first), drives one actor per run, and
 * derives everything callers see (events, finals, waits, subscriptions) from committed `run:*`
 * facts. Idempotency is the run's own stream: runId = idempotency key, `run.accepted` is appended
 * only at position 1 (a second writer gets a position conflict and re-reads).
 */
export class AgentRunService implements RunService {
  readonly journal: Journal;
  private readonly logger: Logger;
  private readonly providers: ModelProviders;
  private readonly lanes = new SessionLanes();
  private readonly tools: GatewayTools;
  private readonly actors = new Map<string, { actor: Actor<typeof agentRunMachine>; sessionKey: string }>();
  /** Records of runs not ended yet (the fold the events are rendered from). */
  private readonly live = new Map<string, RunRecord>();
  /** Events of the entries of the current commit, by global seq, for `eventOf`. */
  private readonly frames = new Map<number, RunEventFrame[]>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly enders = new Map<string, Array<(record: RunRecord) => void>>();
  private readonly sessionIds = new Map<string, string>();
  /**
   * The active-runs projection kept live: runs accepted and not ended, and the seq folded to.
   * Mutable here for speed (a run's start and end would otherwise copy the whole set); it applies
   * exactly `activeRunsProjection.fold`, and `activeRuns()` snapshots it for checkpoints.
   */
  private readonly active = new Map<string, { readonly sessionKey: string; readonly agentId: string }>();
  private activeSeq = 0;
  private runFactsSinceCheckpoint = 0;
  private stopping = false;

  constructor(
    private readonly services: GatewayServices,
    private readonly options: AgentRunsOptions,
  ) {
    this.journal = services.journal;
    this.logger = services.logger;
    this.providers = new ModelProviders(options.providers);
    this.tools = new GatewayTools(services, () => this.actors.size);
    for (const agent of services.agents) mkdirSync(agent.workspace, { recursive: true });
    this.journal.onCommit((entries) => this.committed(entries));
    const rebuilt = rebuildActiveRuns(this.journal);
    for (const [runId, run] of Object.entries(rebuilt.active)) this.active.set(runId, run);
    this.activeSeq = rebuilt.seq;
    this.failInterrupted();
  }

  /** Runs the journal says were going when the gateway last stopped: they end as interrupted. */
  private failInterrupted(): void {
    for (const runId of [...this.active.keys()]) {
      const stream = runStream(runId);
      const record = runRecordOf(this.journal.readStream(stream, 0, 100_000));
      if (!record || isEnded(record)) continue;
      this.logger.warn(`run ${runId} was interrupted by a gateway stop; marking it failed`);
      this.journal.appendNow(stream, [
        { type: 'run.failed', data: { text: record.text, usage: record.usage ?? ZERO_USAGE, error: { key: 'RUN_INTERRUPTED', code: 'UNAVAILABLE', message: 'the gateway stopped during the run' } } },
      ]);
    }
  }

  /** Folds one committed run entry (idempotent per entry) and returns its events. */
  private process(entry: JournalEntry, runId: string): { record: RunRecord | null; frames: RunEventFrame[] } {
    let record = this.live.get(runId) ?? null;
    const cached = this.frames.get(entry.seq);
    if (cached) return { record, frames: cached };
    if (record === null && entry.position > 1) record = runRecordOf(this.journal.readStreamRange(entry.stream, 0, entry.position - 1));
    if (record !== null && entry.position <= record.position) return { record, frames: [] };
    const next = foldRunRecord(record, entry);
    if (next === null) return { record: null, frames: [] };
    const frames = runEventsOf(next, entry);
    this.frames.set(entry.seq, frames);
    if (isEnded(next)) this.live.delete(runId);
    else this.live.set(runId, next);
    return { record: next, frames };
  }

  /** The module's `eventOf`: the run's `agent`/`chat` events of a committed entry (operator.read). */
  eventsOf(entry: JournalEntry): OutgoingEvent[] | null {
    const runId = runIdOfStream(entry.stream);
    if (runId === null) return null;
    return this.process(entry, runId).frames.map((f) => ({ frame: f.frame, scope: 'operator.read', droppable: f.droppable }));
  }

  private committed(entries: readonly JournalEntry[]): void {
    this.frames.clear(); // the previous commit's events were taken by eventOf
    for (const entry of entries) {
      this.activeSeq = Math.max(this.activeSeq, entry.seq);
      const runId = runIdOfStream(entry.stream);
      if (runId === null) continue;
      if (entry.type === 'run.accepted') {
        const data = entry.data as FactData<'run.accepted'>;
        this.active.set(runId, { sessionKey: data.sessionKey, agentId: data.agentId });
      } else if (isTerminalRunFact(entry.type)) this.active.delete(runId);
      this.runFactsSinceCheckpoint += 1;
      const { record } = this.process(entry, runId);
      if (record === null) continue;
      const ended = isEnded(record);
      const subscribers = this.subscribers.get(runId);
      if (subscribers) {
        const event: RunEvent | null = ended
          ? { kind: 'end', seq: entry.position, outcome: outcomeOf(record) }
          : entry.type === 'run.delta'
            ? { kind: 'delta', seq: entry.position, text: record.text, delta: (entry.data as FactData<'run.delta'>).delta }
            : null;
        if (event) for (const subscriber of subscribers) if (entry.position > subscriber.after) subscriber.listener(event);
        if (ended) this.subscribers.delete(runId);
      }
      if (ended) {
        const waiting = this.enders.get(runId);
        this.enders.delete(runId);
        for (const resolve of waiting ?? []) resolve(record);
      }
    }
    if (this.runFactsSinceCheckpoint >= CHECKPOINT_EVERY_RUN_FACTS) {
      this.runFactsSinceCheckpoint = 0;
      this.checkpoint();
    }
  }

  /**
   * Writes the active-runs checkpoint, a cache (a rebuild from the journal gives the same state):
   * a failed write (disk full, read-only file system) is a warning and waits for the next one,
   * never an error out of a commit listener or a stop.
   */
  private checkpoint(): void {
    try {
      checkpointActiveRuns(this.journal, this.activeRuns());
    } catch (error) {
      this.logger.warn(`active-runs checkpoint failed (a cache: retried later): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The active-runs projection state (for checkpoints and tests: equals a rebuild from the journal). */
  activeRuns(): { seq: number; active: Record<string, { sessionKey: string; agentId: string }> } {
    return { seq: this.activeSeq, active: Object.fromEntries(this.active) };
  }

  /**
   * The run's record from the journal, or null when no such run exists. Reads only what the
   * record needs: `run.accepted` and `run.started` (positions 1–2) and the last fact, which is
   * the terminal one with the whole text once the run ended.
   */
  recordOf(runId: string): RunRecord | null {
    const live = this.live.get(runId);
    if (live) return live;
    const stream = runStream(runId);
    const head = this.journal.streamPosition(stream);
    if (head === 0) return null;
    const first = this.journal.readStream(stream, 0, 2);
    return runRecordOf(head > 2 ? [...first, ...this.journal.readStreamRange(stream, head - 1, head)] : first);
  }

  /** Resolves with the record once the run's terminal fact is committed. */
  endOf(runId: string): Promise<RunRecord> {
    const record = this.recordOf(runId);
    if (record && isEnded(record)) return Promise.resolve(record);
    return new Promise((resolve) => {
      const list = this.enders.get(runId) ?? [];
      list.push(resolve);
      this.enders.set(runId, list);
    });
  }

  /** The agent a request names (default agent when none); throws UNKNOWN_AGENT. */
  agentOf(agentId: string): AgentDescriptor {
    const agent = this.services.agents.find((a) => a.id === agentId);
    if (!agent) throw new MethodError('UNKNOWN_AGENT', `unknown agent id: ${agentId}`);
    return agent;
  }

  /** Session key and agent of a request. */
  sessionOf(target: { sessionKey?: string | undefined; agentId?: string | undefined; to?: string | undefined; channel?: string | undefined; accountId?: string | undefined }): { sessionKey: string; agentId: string } {
    return resolveSession(target, this.services.defaultAgentId, this.options.dmScope ?? 'main');
  }

  /** Run actors still going, for the state-machine inspector. */
  liveActors(): AnyActorRef[] {
    return [...this.actors.values()].map((entry) => entry.actor);
  }

  async start(request: StartRunRequest): Promise<RunAccepted> {
    const runId = request.idempotencyKey;
    const existing = this.recordOf(runId);
    if (existing) return this.duplicate(existing);
    if (this.stopping) throw new MethodError('SHUTTING_DOWN');
    const { sessionKey, agentId } = this.sessionOf(request);
    const agent = this.agentOf(agentId);
    const ref = request.model ?? agent.model ?? this.options.defaultModel ?? OFFLINE_REF;
    const choice = this.providers.resolve(ref, agent.model ?? this.options.defaultModel ?? OFFLINE_REF);
    if (!choice) throw new MethodError('UNKNOWN_MODEL', `unknown model provider in "${ref}": configure it under models.providers`);
    const timeoutMs = request.timeoutMs && request.timeoutMs > 0 ? request.timeoutMs : this.options.defaultTimeoutMs;
    const result = await this.journal.append(
      runStream(runId),
      [
        {
          type: 'run.accepted',
          data: {
            runId, sessionKey, agentId, message: request.message, origin: request.origin, via: request.via ?? request.origin,
            provider: choice.provider.name, model: choice.model, timeoutMs,
            ...(request.extraSystemPrompt ? { extraSystemPrompt: request.extraSystemPrompt } : {}),
          },
        },
      ],
      { expectedPosition: 0 },
    );
    if (!result.ok) {
      // Another request with the same key won the race: answer as its duplicate.
      const winner = this.recordOf(runId);
      if (!winner) throw new Error(`run ${runId}: position conflict but no run.accepted`);
      return this.duplicate(winner);
    }
    const accepted = result.entries[0] as JournalEntry;
    const actor = startRunActor(
      {
        journal: this.journal, logger: this.logger, lanes: this.lanes, tools: this.tools,
        sessionIdFor: (key, agentOfKey) => this.sessionIdFor(key, agentOfKey),
        inspectOptions: () => this.services.inspectOptions(),
      },
      {
        runId, sessionKey, agentId, message: request.message, timeoutMs, maxToolRounds: this.options.maxToolRounds ?? 4, choice,
        system: this.systemPrompt(agent, request.extraSystemPrompt),
      },
    );
    this.actors.set(runId, { actor, sessionKey });
    actor.subscribe({ complete: () => this.actors.delete(runId), error: (error: unknown) => {
      this.actors.delete(runId);
      this.logger.error(`run ${runId} actor failed`, { error: String(error) });
    } });
    return { runId, sessionKey, agentId, acceptedAt: accepted.ts, disposition: 'started' };
  }

  private duplicate(record: RunRecord): RunAccepted {
    return {
      runId: record.runId, sessionKey: record.sessionKey, agentId: record.agentId, acceptedAt: record.acceptedAt,
      disposition: isEnded(record) ? 'completed' : 'in_flight',
    };
  }

  /** The session's id, journaling `session.created` on its first run. */
  sessionIdFor(sessionKey: string, agentId: string): string {
    const known = this.sessionIdOf(sessionKey);
    if (known) return known;
    const sessionId = randomUUID();
    this.sessionIds.set(sessionKey, sessionId);
    this.journal.append(sessionStream(sessionKey), [{ type: 'session.created', data: { sessionId, agentId } }]).catch((error: unknown) =>
      this.logger.error(`could not journal session ${sessionKey}`, { error: String(error) }),
    );
    return sessionId;
  }

  /** The session's id if a run created it, from the journal. */
  sessionIdOf(sessionKey: string): string | null {
    const cached = this.sessionIds.get(sessionKey);
    if (cached) return cached;
    for (const entry of this.journal.readStream(sessionStream(sessionKey), 0, 200)) {
      if (entry.type !== 'session.created') continue;
      const { sessionId } = entry.data as FactData<'session.created'>;
      this.sessionIds.set(sessionKey, sessionId);
      return sessionId;
    }
    return null;
  }

  private systemPrompt(agent: AgentDescriptor, extra: string | undefined): string {
    const lines = [
      `You are the OpenClaw agent "${agent.name ?? agent.id}", answering through an OpenClaw gateway.`,
      `Your workspace is ${agent.workspace}. Gateway tools (presence_roster, gateway_status, session_history) are available when they help.`,
    ];
    const agentsFile = join(agent.workspace, 'AGENTS.md');
    if (existsSync(agentsFile)) lines.push(readFileSync(agentsFile, 'utf8').slice(0, AGENTS_FILE_MAX_BYTES));
    if (extra) lines.push(extra);
    return lines.join('\n\n');
  }

  subscribe(runId: string, listener: (event: RunEvent) => void): () => void {
    const stream = runStream(runId);
    let record: RunRecord | null = null;
    let after = 0;
    for (;;) {
      const batch = this.journal.readStream(stream, after, 1000);
      for (const entry of batch) {
        record = foldRunRecord(record, entry);
        after = entry.position;
        if (!record) continue;
        if (isEnded(record)) listener({ kind: 'end', seq: entry.position, outcome: outcomeOf(record) });
        else if (entry.type === 'run.delta') listener({ kind: 'delta', seq: entry.position, text: record.text, delta: (entry.data as FactData<'run.delta'>).delta });
      }
      if (batch.length < 1000) break;
    }
    if (record && isEnded(record)) return () => undefined;
    const subscriber: Subscriber = { listener, after };
    const set = this.subscribers.get(runId) ?? new Set<Subscriber>();
    set.add(subscriber);
    this.subscribers.set(runId, set);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(runId) === set) this.subscribers.delete(runId);
    };
  }

  async wait(runId: string, timeoutMs: number): Promise<RunOutcome | null> {
    const record = await this.waitRecord(runId, timeoutMs);
    return record ? outcomeOf(record) : null;
  }

  /** The ended record, or null if the run is unknown or still going after `timeoutMs`. */
  async waitRecord(runId: string, timeoutMs: number): Promise<RunRecord | null> {
    if (!this.recordOf(runId)) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    try {
      return await Promise.race([this.endOf(runId), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async abort(target: { runId?: string; sessionKey?: string }, reason = 'rpc'): Promise<string[]> {
    const runIds: string[] = [];
    for (const [runId, { actor, sessionKey }] of this.actors) {
      if (target.runId !== undefined && runId !== target.runId) continue;
      if (target.sessionKey !== undefined && sessionKey !== target.sessionKey) continue;
      if (actor.getSnapshot().status !== 'active') continue;
      actor.send({ type: 'abort.requested', reason });
      runIds.push(runId);
    }
    await Promise.all(runIds.map((runId) => this.endOf(runId)));
    return runIds;
  }

  async embed(input: readonly string[], model?: string): Promise<{ model: string; vectors: number[][]; usage: { input: number } }> {
    const configured = this.providers.all().find((p) => p.kind !== 'offline');
    const choice = model ? this.providers.resolve(model, configured ? `${configured.name}/${configured.defaultModel}` : OFFLINE_REF) : null;
    const provider = choice?.provider ?? configured ?? this.providers.resolve(OFFLINE_REF)?.provider;
    if (!provider) throw new MethodError('EMBEDDINGS_UNSUPPORTED');
    if (provider.kind === 'anthropic') throw new MethodError('EMBEDDINGS_UNSUPPORTED', `provider ${provider.name} (anthropic) has no embeddings endpoint`);
    try {
      return await provider.embed(input, choice?.model);
    } catch (error) {
      if (error instanceof ProviderError) throw new MethodError('PROVIDER_FAILED', `${provider.name}: ${error.message}`, { code: 'PROVIDER_FAILED', httpStatus: error.httpStatus });
      throw error;
    }
  }

  agentIds(): { defaultId: string; ids: readonly string[] } {
    return { defaultId: this.services.defaultAgentId, ids: this.services.agents.map((a) => a.id) };
  }

  /** Runs going on in this process. */
  activeCount(): number {
    return this.actors.size;
  }

  /** Gateway stop: aborts every run (`shutdown`), waits briefly for their facts, checkpoints. */
  async stop(): Promise<void> {
    this.stopping = true;
    const aborted = this.abort({}, 'shutdown');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([aborted, new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    this.journal.flush();
    this.checkpoint();
  }
}
