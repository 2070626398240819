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
/** Length of one measurement window: a snapshot reports the last completed one (`intervalMs`). */
const SAMPLE_WINDOW_MS = 1000;

/** Event-loop figures over one window of wall time. */
interface LoopWindow {
  readonly intervalMs: number;
  readonly utilization: number;
  readonly cpuCoreRatio: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
}

/**
 * Samples the event loop and produces health snapshots. `signature()` ignores the volatile
 * numbers so a new `health.changed` fact is journaled only when something meaningful changed.
 */
export class HealthMonitor {
  private readonly histogram: IntervalHistogram;
  private windowElu = performance.eventLoopUtilization();
  private windowCpu = process.cpuUsage();
  private windowStartedAt = performance.now();
  /** The last completed window; until one completes, snapshots measure from start. */
  private lastWindow: LoopWindow | null = null;
  private readonly sampler: NodeJS.Timeout;
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
    // Utilization and CPU are ratios over an interval: a snapshot taken right after another must
    // not measure the few microseconds between them (always busy, so 1).
    this.sampler = setInterval(() => (this.lastWindow = this.closeWindow()), SAMPLE_WINDOW_MS);
    this.sampler.unref();
  }

  /** Ends the current window (figures since it began) and starts the next. */
  private closeWindow(): LoopWindow {
    const now = performance.now();
    const elu = performance.eventLoopUtilization(this.windowElu);
    const cpu = process.cpuUsage(this.windowCpu);
    const intervalMs = Math.max(1, now - this.windowStartedAt);
    const window: LoopWindow = {
      intervalMs,
      utilization: elu.utilization,
      cpuCoreRatio: (cpu.user + cpu.system) / 1000 / intervalMs,
      delayP99Ms: this.histogram.percentile(99) / 1e6,
      delayMaxMs: this.histogram.max / 1e6,
    };
    this.windowElu = performance.eventLoopUtilization();
    this.windowCpu = process.cpuUsage();
    this.windowStartedAt = now;
    this.histogram.reset();
    return window;
  }

  /** The figures a snapshot reports: the last completed window, else the time since start. */
  private currentWindow(): LoopWindow {
    if (this.lastWindow) return this.lastWindow;
    const intervalMs = Math.max(1, performance.now() - this.windowStartedAt);
    const cpu = process.cpuUsage(this.windowCpu);
    return {
      intervalMs,
      utilization: performance.eventLoopUtilization(this.windowElu).utilization,
      cpuCoreRatio: (cpu.user + cpu.system) / 1000 / intervalMs,
      delayP99Ms: this.histogram.percentile(99) / 1e6,
      delayMaxMs: this.histogram.max / 1e6,
    };
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
    const window = this.currentWindow();
    const reasons: EventLoopHealth['reasons'] = [];
    if (window.delayP99Ms > DELAY_DEGRADED_MS) reasons.push('event_loop_delay');
    // A window shorter than a full one (right after start-up) says nothing about utilization.
    if (this.lastWindow && window.utilization > UTILIZATION_DEGRADED) reasons.push('event_loop_utilization');
    const degraded = reasons.length > 0;
    if (degraded && this.degradedSince === null) this.degradedSince = ts;
    if (!degraded) this.degradedSince = null;
    const round = (n: number) => Math.round(Math.max(0, Number.isFinite(n) ? n : 0) * 100) / 100;
    return {
      degraded,
      degradedSinceMs: this.degradedSince,
      reasons,
      intervalMs: Math.round(window.intervalMs),
      delayP99Ms: round(window.delayP99Ms),
      delayMaxMs: round(window.delayMaxMs),
      utilization: round(window.utilization),
      cpuCoreRatio: round(window.cpuCoreRatio),
    };
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.sampler);
    this.histogram.disable();
  }
}
