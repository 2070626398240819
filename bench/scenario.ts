/** The contract between run.ts, the targets and the scenarios: sizes in, metrics out. */

/** Scenarios in the order they run (idle last: it is the most disruptive to the server). */
export const SCENARIOS = ['startup', 'handshake', 'rpc', 'fanout', 'runs', 'channels', 'nodes', 'control-ui', 'idle'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Workload sizes for one target (the official gateway gets smaller defaults; see run.ts). */
export interface Sizes {
  /** Seconds for each handshake phase (sequential, then concurrent). */
  readonly handshakeSeconds: number;
  /** Upper bound on handshakes per phase, so a very fast server still finishes promptly. */
  readonly handshakeMax: number;
  readonly handshakeConcurrency: number;
  readonly rpcCount: number;
  readonly rpcWindow: number;
  readonly fanoutClients: number;
  readonly fanoutRounds: number;
  readonly idleConnections: number;
  /** Agent runs in the `runs` scenario, and how many are in flight at once. */
  readonly runsCount: number;
  readonly runsConcurrency: number;
  /** `node.invoke` round trips in each phase of the `nodes` scenario (1, then 50 in flight). */
  readonly nodesInvokes: number;
}

/** A gateway ready to be measured. `pid` is the server process (its descendants are counted too). */
export interface RunningTarget {
  readonly name: string;
  readonly url: string;
  readonly token: string;
  readonly pid: number | undefined;
  /** Milliseconds from spawn to first hello-ok; undefined for targets the bench did not start. */
  readonly readyMs: number | undefined;
  /** performance.now() at the first hello-ok; undefined for targets the bench did not start. */
  readonly readyAt: number | undefined;
  /** The target's config file, when the bench started it (the channels scenario edits it; hot reload applies it). */
  readonly configPath?: string;
  /** Stops the process (if the bench started it) and removes its temporary state. Idempotent. */
  stop(): Promise<void>;
}

/** One figure. `better` tells the report which way a ratio counts; `none` for sizes and counts. */
export interface Metric {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly value: number | null;
  readonly better: 'higher' | 'lower' | 'none';
}

/** What a scenario receives. `log` writes progress to stderr, never to the report. */
export interface ScenarioContext {
  readonly target: RunningTarget;
  readonly sizes: Sizes;
  readonly log: (message: string) => void;
  /** Notes that belong in the report (e.g. "12 refused: EMFILE"). */
  readonly note: (message: string) => void;
}

/** Builds a metric; `value` may be null when the scenario could not measure it. */
export function metric(id: string, label: string, unit: string, value: number | null, better: Metric['better']): Metric {
  return { id, label, unit, value, better };
}
