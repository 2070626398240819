import { statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { TERMINAL_RUN_FACTS } from '../../protocol/run-facts.js';
import type { JournalEntry } from '../../store/journal.js';
import type { GatewayServices } from '../gateway/methods/context.js';
import type { MetricsSink } from '../gateway/metrics-hooks.js';

/** Latency buckets (seconds) for requests, journal commits and runs: 100 µs to 10 min. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const FANOUT_BUCKETS = [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];
const TERMINAL = new Set<string>(TERMINAL_RUN_FACTS);
const OUTCOME_OF: Readonly<Record<string, string>> = {
  'run.completed': 'ok', 'run.failed': 'error', 'run.timedOut': 'timeout', 'run.aborted': 'aborted',
};

/** The prom-client registry of one gateway, fed by the gateway's hooks from now on. */
export interface PrometheusRecorder {
  readonly registry: Registry;
  /** Stops feeding (the gateway is stopping). */
  close(): void;
}

/**
 * Creates the registry and plugs it into the gateway: request/broadcast/slow-consumer hooks,
 * journal commit timing, run facts (counted from their commit), live gauges read at scrape time
 * (connections by role, channel link states, journal size, memory) and the event-loop delay.
 * Counters start at zero here.
 */
export async function createPrometheusRecorder(services: GatewayServices): Promise<PrometheusRecorder> {
  // Imported here, not at the top: the bundle would otherwise load prom-client at start-up.
  const { Counter, Gauge, Histogram, Registry } = await import('prom-client');
  const registry = new Registry();
  const { journal, metrics } = services;
  // Event-loop delay since the previous scrape (reset at each one), sampled every 10 ms.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  new Gauge({
    name: 'openclaw_gateway_event_loop_delay_seconds', help: 'Event-loop delay since the previous scrape', labelNames: ['stat'], registers: [registry],
    collect() {
      const ns = (value: number) => (Number.isFinite(value) ? value / 1e9 : 0);
      this.set({ stat: 'p50' }, ns(loopDelay.percentile(50)));
      this.set({ stat: 'p99' }, ns(loopDelay.percentile(99)));
      this.set({ stat: 'max' }, ns(loopDelay.max));
      this.set({ stat: 'mean' }, ns(loopDelay.mean));
      loopDelay.reset();
    },
  });
  new Gauge({
    name: 'openclaw_process_memory_bytes', help: 'Process memory', labelNames: ['kind'], registers: [registry],
    collect() {
      const usage = process.memoryUsage();
      this.set({ kind: 'rss' }, usage.rss);
      this.set({ kind: 'heap_used' }, usage.heapUsed);
      this.set({ kind: 'heap_total' }, usage.heapTotal);
      this.set({ kind: 'external' }, usage.external);
    },
  });

  new Gauge({
    name: 'openclaw_gateway_build_info', help: 'Gateway version and process', labelNames: ['version', 'pid'], registers: [registry],
    collect() {
      this.reset();
      this.set({ version: services.version, pid: String(services.pid) }, 1);
    },
  });
  new Gauge({
    name: 'openclaw_gateway_connections', help: 'Open WebSocket connections by role', labelNames: ['role'], registers: [registry],
    collect() {
      this.reset();
      const byRole = metrics.connectionsByRole();
      for (const role of ['operator', 'node', 'unauthenticated']) this.set({ role }, byRole[role] ?? 0);
      for (const [role, count] of Object.entries(byRole)) this.set({ role }, count);
    },
  });
  new Gauge({
    name: 'openclaw_channel_link_state', help: 'Current link state of each channel account (1 = in this state)',
    labelNames: ['channel', 'account', 'state'], registers: [registry],
    collect() {
      this.reset();
      for (const entry of metrics.channelLinks.entries()) this.set({ channel: entry.channel, account: entry.accountId, state: entry.state }, 1);
    },
  });
  new Gauge({
    name: 'openclaw_journal_size_bytes', help: 'Size of the journal files', labelNames: ['file'], registers: [registry],
    collect() {
      this.reset();
      for (const [file, path] of [['db', journal.path], ['wal', `${journal.path}-wal`]] as const) {
        this.set({ file }, fileSize(path));
      }
    },
  });
  new Gauge({
    name: 'openclaw_journal_last_seq', help: 'Highest journal seq written', registers: [registry],
    collect() {
      this.set(journal.lastSeq());
    },
  });

  const requests = new Counter({ name: 'openclaw_gateway_rpc_requests_total', help: 'Dispatched requests by method and outcome', labelNames: ['method', 'outcome'], registers: [registry] });
  const firstResponse = new Histogram({
    name: 'openclaw_gateway_rpc_first_response_seconds', help: 'Time from dispatch to the first response frame', labelNames: ['method'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const fanout = new Histogram({ name: 'openclaw_gateway_broadcast_recipients', help: 'Sockets one broadcast frame went to', labelNames: ['kind'], buckets: FANOUT_BUCKETS, registers: [registry] });
  const fanoutFrames = new Counter({ name: 'openclaw_gateway_broadcast_frames_total', help: 'Frames sent by broadcasts', labelNames: ['kind'], registers: [registry] });
  const slow = new Counter({ name: 'openclaw_gateway_slow_consumer_closes_total', help: 'Sockets closed as slow consumers', registers: [registry] });
  const commit = new Histogram({ name: 'openclaw_journal_append_seconds', help: 'Duration of one journal group commit', buckets: LATENCY_BUCKETS, registers: [registry] });
  const commitFacts = new Histogram({ name: 'openclaw_journal_append_facts', help: 'Facts written by one group commit', buckets: SIZE_BUCKETS, registers: [registry] });
  const appendedFacts = new Counter({ name: 'openclaw_journal_appended_facts_total', help: 'Facts appended', registers: [registry] });
  const appendedBytes = new Counter({ name: 'openclaw_journal_appended_bytes_total', help: 'Bytes of fact data appended', registers: [registry] });
  const runsStarted = new Counter({ name: 'openclaw_run_accepted_total', help: 'Agent runs accepted', registers: [registry] });
  const runsDone = new Counter({ name: 'openclaw_run_completed_total', help: 'Agent runs ended, by outcome', labelNames: ['outcome'], registers: [registry] });
  const runDuration = new Histogram({
    name: 'openclaw_run_duration_seconds', help: 'Agent run duration from acceptance to its end', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers: [registry],
  });

  const sink: MetricsSink = {
    requestDone(method, outcome, seconds) {
      requests.inc({ method, outcome });
      firstResponse.observe({ method }, seconds);
    },
    fanout(kind, recipients) {
      fanout.observe({ kind }, recipients);
      fanoutFrames.inc({ kind }, recipients);
    },
    slowConsumerClosed() {
      slow.inc();
    },
  };
  const onRunFact = (entry: JournalEntry) => {
    if (entry.type === 'run.accepted') {
      runsStarted.inc();
      return;
    }
    if (!TERMINAL.has(entry.type)) return;
    const outcome = OUTCOME_OF[entry.type] ?? 'other';
    runsDone.inc({ outcome });
    const first = journal.readStream(entry.stream, 0, 1)[0];
    if (first) runDuration.observe({ outcome }, Math.max(0, entry.ts - first.ts) / 1000);
  };
  journal.observeFlushes((stats) => {
    commit.observe(stats.seconds);
    commitFacts.observe(stats.facts);
    appendedFacts.inc(stats.facts);
    appendedBytes.inc(stats.bytes);
  });
  const unsubscribe = journal.onCommit((entries) => {
    for (const entry of entries) if (entry.stream.startsWith('run:')) onRunFact(entry);
  });
  metrics.sink = sink;
  return {
    registry,
    close() {
      loopDelay.disable();
      metrics.sink = undefined;
      journal.observeFlushes(undefined);
      unsubscribe();
      registry.clear();
    },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
