import type {
  RunAccepted, RunEvent, RunOutcome, RunService, StartRunRequest,
} from '../../actors/agents/run-service.js';
import { runStream } from '../../protocol/run-facts.js';
import type { Journal } from '../../store/journal.js';

/** A run the fake is asked to play: its reply in deltas, then how it ends. */
export interface ScriptedRun {
  readonly deltas: readonly string[];
  readonly status?: RunOutcome['status'];
  readonly error?: { code: string; message: string };
  /** The run pauses after its first delta until this settles (to act while it is mid-stream). */
  readonly hold?: Promise<void>;
}

/** A refusal with a code, the way a typed RunService error looks. */
export class CodedError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface RunRecord {
  readonly request: StartRunRequest;
  readonly accepted: RunAccepted;
  readonly events: RunEvent[];
  readonly listeners: Set<(event: RunEvent) => void>;
  outcome?: RunOutcome;
}

/**
 * An in-memory RunService for route tests: each run plays its script one delta per macrotask,
 * so streams are really incremental. Runs outlive subscribers, like the real service.
 */
export class FakeRunService implements RunService {
  readonly runs = new Map<string, RunRecord>();
  /** Script for the next runs (the last one repeats). Default: echoes the message. */
  script: ScriptedRun[] = [];
  /** Vectors `embed` answers with; undefined: no provider (throws). */
  embeddings: ((input: readonly string[]) => number[][]) | undefined;
  /** What `start` throws, when set. */
  refuse: Error | undefined;

  constructor(
    private readonly agents: { defaultId: string; ids: readonly string[] } = { defaultId: 'main', ids: ['main'] },
    /** Where `run.accepted` is journaled, as the real service does (optional). */
    private readonly journal?: Journal,
  ) {}

  async start(request: StartRunRequest): Promise<RunAccepted> {
    if (this.refuse) throw this.refuse;
    const existing = this.runs.get(request.idempotencyKey);
    if (existing) return { ...existing.accepted, disposition: existing.outcome ? 'completed' : 'in_flight' };
    const agentId = request.agentId ?? this.agents.defaultId;
    const key = request.sessionKey ?? 'main';
    const accepted: RunAccepted = {
      runId: request.idempotencyKey,
      sessionKey: key.startsWith('agent:') ? key : `agent:${agentId}:${key}`,
      agentId,
      acceptedAt: Date.now(),
      disposition: 'started',
    };
    const record: RunRecord = { request, accepted, events: [], listeners: new Set() };
    this.runs.set(accepted.runId, record);
    await this.journal?.append(runStream(accepted.runId), [{
      type: 'run.accepted',
      data: {
        runId: accepted.runId, sessionKey: accepted.sessionKey, agentId, message: request.message, origin: request.origin,
        via: 'http', provider: 'fake', model: 'fake-1', timeoutMs: 60_000,
      },
    }]);
    const script = this.script.length > 1 ? this.script.shift() : this.script[0];
    void this.play(record, script ?? { deltas: [`echo: ${request.message}`] });
    return accepted;
  }

  private async play(record: RunRecord, script: ScriptedRun): Promise<void> {
    let text = '';
    let seq = 0;
    for (const delta of script.deltas) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      text += delta;
      this.emit(record, { kind: 'delta', seq: ++seq, text, delta });
      if (seq === 1 && script.hold) await script.hold;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
    const status = script.status ?? 'ok';
    const outcome: RunOutcome = {
      runId: record.accepted.runId,
      status,
      text,
      ...(script.error ? { error: script.error } : {}),
      usage: { input: 3, output: script.deltas.length, total: 3 + script.deltas.length },
      provider: 'fake',
      model: 'fake-1',
      startedAt: record.accepted.acceptedAt,
      endedAt: Date.now(),
    };
    record.outcome = outcome;
    this.emit(record, { kind: 'end', seq: ++seq, outcome });
  }

  private emit(record: RunRecord, event: RunEvent): void {
    record.events.push(event);
    for (const listener of [...record.listeners]) listener(event);
  }

  subscribe(runId: string, listener: (event: RunEvent) => void): () => void {
    const record = this.runs.get(runId);
    if (!record) return () => undefined;
    for (const event of record.events) listener(event);
    record.listeners.add(listener);
    return () => record.listeners.delete(listener);
  }

  /** Listeners still attached to a run (a disconnected client must leave none). */
  listenerCount(runId: string): number {
    return this.runs.get(runId)?.listeners.size ?? 0;
  }

  wait(runId: string, timeoutMs: number): Promise<RunOutcome | null> {
    const record = this.runs.get(runId);
    if (!record) return Promise.resolve(null);
    if (record.outcome) return Promise.resolve(record.outcome);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(null);
      }, timeoutMs);
      const unsubscribe = this.subscribe(runId, (event) => {
        if (event.kind !== 'end') return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event.outcome);
      });
    });
  }

  abort(): Promise<string[]> {
    return Promise.resolve([]);
  }

  embed(input: readonly string[], model?: string): Promise<{ model: string; vectors: number[][]; usage: { input: number } }> {
    if (!this.embeddings) return Promise.reject(new CodedError('EMBEDDINGS_UNAVAILABLE', 'no provider supports embeddings'));
    return Promise.resolve({ model: model ?? 'fake-embed', vectors: this.embeddings(input), usage: { input: input.length } });
  }

  agentIds(): { defaultId: string; ids: readonly string[] } {
    return this.agents;
  }

  /** The request of the only (or last) run started. */
  lastRequest(): StartRunRequest | undefined {
    return [...this.runs.values()].at(-1)?.request;
  }

  /** Resolves once a run has ended. */
  async settled(runId: string): Promise<RunOutcome> {
    const outcome = await this.wait(runId, 5000);
    if (!outcome) throw new Error(`run ${runId} did not end`);
    return outcome;
  }
}
