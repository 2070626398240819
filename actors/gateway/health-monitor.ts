import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopHealth, HealthSnapshot } from '../../protocol/health.js';

/** Agents as the health snapshot and `agents.list` describe them. */
export interface AgentDescriptor {
  readonly id: string;
  readonly name?: string;
  readonly workspace: string;
  readonly isDefault: boolean;
  /** `"<provider>/<model>"` the agent runs on (`offline/…` when no provider is configured). */
  readonly model?: string;
}

const DELAY_DEGRADED_MS = 200;
const UTILIZATION_DEGRADED = 0.95;
const MIN_UTILIZATION_WINDOW_MS = 5000;

/**
 * Samples the event loop and produces health snapshots. `signature()` ignores the volatile
 * numbers so a new `health.changed` fact is journaled only when something meaningful changed.
 */
export class HealthMonitor {
  private readonly histogram: IntervalHistogram;
  private lastElu = performance.eventLoopUtilization();
  private lastSampleAt = performance.now();
  private degradedSince: number | null = null;
  /** Where `channels`, `channelOrder` and `channelLabels` come from (the channels module), if anywhere. */
  channelSource: (() => Partial<Pick<HealthSnapshot, 'channels' | 'channelOrder' | 'channelLabels'>>) | undefined;

  constructor(
    private readonly agents: readonly AgentDescriptor[],
    private readonly sessionsPath: string,
    private readonly now: () => number = Date.now,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
  }

  /** A fresh health snapshot. */
  snapshot(): HealthSnapshot {
    const started = performance.now();
    const ts = this.now();
    const defaultAgent = this.agents.find((a) => a.isDefault) ?? this.agents[0];
    const sessions = { path: this.sessionsPath, count: 0, recent: [] };
    return {
      ok: true,
      ts,
      durationMs: Math.round(performance.now() - started),
      eventLoop: this.eventLoop(ts),
      plugins: { loaded: [...new Set(this.agents.flatMap((a) => (a.model ? [`provider:${a.model.split('/')[0] ?? a.model}`] : [])))], errors: [] },
      channels: {},
      channelOrder: [],
      channelLabels: {},
      ...this.channelSource?.(),
      heartbeatSeconds: 0,
      defaultAgentId: defaultAgent?.id ?? 'main',
      agents: this.agents.map((agent) => ({
        agentId: agent.id,
        ...(agent.name ? { name: agent.name } : {}),
        isDefault: agent.isDefault,
        heartbeat: { enabled: false, every: 'disabled', everyMs: null, prompt: '', target: 'none', ackMaxChars: 300 },
        sessions,
      })),
      sessions,
    };
  }

  /** The part of a snapshot whose change is worth a journal fact. */
  static signature(snapshot: HealthSnapshot): string {
    const links = Object.values(snapshot.channels).map((channel) =>
      Object.values(((channel as { accounts?: Record<string, Record<string, unknown>> }).accounts ?? {})).map((a) => [a.lifecycle, a.running, a.connected, a.configured, a.lastError]),
    );
    return JSON.stringify([snapshot.channelOrder, links, snapshot.defaultAgentId, snapshot.agents.map((a) => a.agentId), snapshot.eventLoop?.degraded ?? false]);
  }

  private eventLoop(ts: number): EventLoopHealth {
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    // Utilization over a short window (e.g. right after start-up) says nothing about health.
    const windowMs = performance.now() - this.lastSampleAt;
    this.lastSampleAt = performance.now();
    const p99 = this.histogram.percentile(99) / 1e6;
    const max = this.histogram.max / 1e6;
    this.histogram.reset();
    const reasons: EventLoopHealth['reasons'] = [];
    if (p99 > DELAY_DEGRADED_MS) reasons.push('event_loop_delay');
    if (windowMs >= MIN_UTILIZATION_WINDOW_MS && elu.utilization > UTILIZATION_DEGRADED) reasons.push('event_loop_utilization');
    const degraded = reasons.length > 0;
    if (degraded && this.degradedSince === null) this.degradedSince = ts;
    if (!degraded) this.degradedSince = null;
    const round = (n: number) => Math.round(Math.max(0, Number.isFinite(n) ? n : 0) * 100) / 100;
    return {
      degraded,
      degradedSinceMs: this.degradedSince,
      reasons,
      intervalMs: 20,
      delayP99Ms: round(p99),
      delayMaxMs: round(max),
      utilization: round(elu.utilization),
      cpuCoreRatio: round(elu.utilization),
    };
  }

  /** Stops sampling. */
  stop(): void {
    this.histogram.disable();
  }
}
