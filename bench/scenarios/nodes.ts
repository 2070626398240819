/**
 * nodes: `node.invoke` round trips operator → gateway → node → gateway → operator, to a bench node
 * that answers at once. Setup, the same on every gateway (NODES.md §2.3–2.5): an operator with
 * `operator.pairing` + `operator.admin` connects first, the node connects with a device proof
 * (loopback: silently device-paired), its declared surface (`system.which`) shows up as a
 * `node.pair.requested`, the operator approves it with `node.pair.approve`. Then `sizes.nodesInvokes`
 * invokes with 1 in flight and again with 50 in flight; latency is send → response at the operator.
 */
import { performance } from 'node:perf_hooks';
import { connect, RequestFailure, type BenchClient, type BenchEvent } from '../client.js';
import { connectNode, type BenchNode } from '../node-client.js';
import { metric, type Metric, type ScenarioContext } from '../scenario.js';
import { sleep } from '../stats.js';
import { runWindowed } from '../windowed.js';

const COMMAND = 'system.which';
const OPERATOR_SCOPES = ['operator.admin', 'operator.pairing', 'operator.read', 'operator.write'];
const PAIRING_DEADLINE_MS = 30_000;
const PHASE_DEADLINE_MS = 60_000;
const WARMUP = 100;
const WINDOWS = [1, 50] as const;

/** Resolves with the first event `match` accepts (including ones already seen), or rejects at the deadline. */
class EventWaiter {
  private readonly seen: BenchEvent[] = [];
  private readonly waiters = new Set<(event: BenchEvent) => boolean>();

  readonly onEvent = (event: BenchEvent): void => {
    this.seen.push(event);
    for (const waiter of this.waiters) if (waiter(event)) this.waiters.delete(waiter);
  };

  wait(match: (event: BenchEvent) => boolean, timeoutMs: number, what: string): Promise<BenchEvent> {
    const earlier = this.seen.find(match);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (event: BenchEvent): boolean => {
        if (!match(event)) return false;
        clearTimeout(timer);
        resolve(event);
        return true;
      };
      this.waiters.add(waiter);
    });
  }
}

interface PendingSurface {
  readonly requestId: string;
  readonly nodeId: string;
}

const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/** Finds the node's pending surface request (listed, or announced by `node.pair.requested`) and approves it. */
async function approveSurface(operator: BenchClient, events: EventWaiter, nodeId: string): Promise<void> {
  const listed = (await operator.request('node.pair.list', {})) as { pending?: PendingSurface[] };
  let requestId = listed.pending?.find((p) => p.nodeId === nodeId)?.requestId;
  if (requestId === undefined) {
    const requested = await events.wait((e) => e.event === 'node.pair.requested' && field(e.payload, 'nodeId') === nodeId, PAIRING_DEADLINE_MS, 'node.pair.requested for the bench node');
    requestId = String(field(requested.payload, 'requestId'));
  }
  await operator.request('node.pair.approve', { requestId });
}

let invokeCounter = 0;
const invokeParams = (nodeId: string) => ({ nodeId, command: COMMAND, params: { bins: ['sh'] }, idempotencyKey: `bench-${++invokeCounter}`, timeoutMs: 30_000 });

/** First invokes right after approval may meet the official gateway's PAIRING_CHANGED race (NODES.md §8): retry those. */
async function firstInvoke(operator: BenchClient, nodeId: string): Promise<void> {
  const deadline = performance.now() + PAIRING_DEADLINE_MS;
  for (;;) {
    try {
      await operator.call('node.invoke', invokeParams(nodeId));
      return;
    } catch (error) {
      if (!(error instanceof RequestFailure) || error.code !== 'UNAVAILABLE' || performance.now() > deadline) throw error;
      // PAIRING_CHANGED / surface not yet effective: the approval is still being applied.
      await sleep(50);
    }
  }
}

interface Phase {
  readonly rate: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly failed: number;
  readonly firstError: unknown;
}

/** `count` invokes with `window` in flight; bounded by PHASE_DEADLINE_MS. */
async function measure(operator: BenchClient, nodeId: string, count: number, window: number): Promise<Phase> {
  const run = await runWindowed({
    count, window, deadlineMs: PHASE_DEADLINE_MS, isClosed: () => operator.isClosed, call: () => operator.call('node.invoke', invokeParams(nodeId)),
  });
  return { rate: run.rate, p50: run.p50, p99: run.p99, failed: run.failed + (count - run.done), firstError: run.firstError };
}

export async function runNodes(ctx: ScenarioContext): Promise<Metric[]> {
  const count = ctx.sizes.nodesInvokes;
  const events = new EventWaiter();
  const operator = await connect({ url: ctx.target.url, token: ctx.target.token, scopes: OPERATOR_SCOPES, onEvent: events.onEvent });
  let node: BenchNode | undefined;
  try {
    node = await connectNode({ url: ctx.target.url, token: ctx.target.token, commands: [COMMAND] });
    await approveSurface(operator, events, node.nodeId);
    await firstInvoke(operator, node.nodeId);
    for (let i = 0; i < WARMUP; i += 1) await operator.call('node.invoke', invokeParams(node.nodeId));
    const metrics: Metric[] = [metric('nodes.count', 'node.invoke round trips per phase', '', count, 'none')];
    for (const window of WINDOWS) {
      const phase = await measure(operator, node.nodeId, count, window);
      const id = `nodes.w${window}`;
      ctx.log(`nodes: window ${window}: ${phase.rate.toFixed(0)} invokes/s, p50 ${phase.p50?.toFixed(2)} ms, p99 ${phase.p99?.toFixed(2)} ms`);
      if (phase.failed > 0) ctx.note(`nodes: window ${window}: ${phase.failed} invokes failed or unfinished, first: ${phase.firstError instanceof Error ? phase.firstError.message : String(phase.firstError)}`);
      metrics.push(
        metric(`${id}.rate`, `node.invoke/s, ${window} in flight`, '/s', phase.rate, 'higher'),
        metric(`${id}.p50`, `node.invoke p50, ${window} in flight`, 'ms', phase.p50, 'lower'),
        metric(`${id}.p99`, `node.invoke p99, ${window} in flight`, 'ms', phase.p99, 'lower'),
        metric(`${id}.failed`, `node.invoke failed, ${window} in flight`, '', phase.failed, 'lower'),
      );
    }
    return metrics;
  } finally {
    await node?.client.close();
    await operator.close();
  }
}
