/**
 * Entry of `npm run bench`: runs the same scenarios against our gateway and, in the same run,
 * against another one (`--official` starts the official gateway, `--url` uses a running one),
 * then prints the figures side by side. Targets run one after another, never concurrently, so
 * they do not compete for CPU. Being an entry point, this file (like bin/) owns argv, signals
 * and exit; every process it starts is killed on every exit path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderJson, renderTable, type TargetReport } from './report.js';
import { SCENARIOS, type Metric, type ScenarioContext, type ScenarioName, type Sizes } from './scenario.js';
import { runFanout } from './scenarios/fanout.js';
import { runHandshake } from './scenarios/handshake.js';
import { runIdle } from './scenarios/idle.js';
import { runRpc } from './scenarios/rpc.js';
import { runRuns } from './scenarios/runs.js';
import { join } from 'node:path';
import { runStartup } from './scenarios/startup.js';
import { runChannels } from './scenarios/channels.js';
import { runNodes } from './scenarios/nodes.js';
import { runControlUi } from './scenarios/control-ui.js';
import { killAllSync, startTarget, type TargetSpec } from './target.js';

const USAGE = `usage: npm run bench -- [options]      (or: node dist/bench/run.js [options])

targets (run one after another; the first is the baseline of the ratio columns):
  (default)              start our gateway: node bin/openclaw gateway --port P --token T
  --no-ours              do not start our gateway
  --official             also start the official gateway (openclaw-official gateway run …)
  --url ws://… --token T also measure an already-running gateway (alias: --against)
  --transport NAME       OPENCLAW_TRANSPORT for our gateway
  --ours-bin PATH        our CLI (default: <repo>/bin/openclaw)
  --official-bin PATH    official wrapper (default: ~/.cache/openclaw-official/openclaw-official,
                         installed by ../shared/tools/official-openclaw.sh if missing)
scenarios and sizes (an explicit size applies to every target):
  --scenarios a,b,c      of ${SCENARIOS.join(',')} (default: all)
  --duration S           seconds per handshake phase      (default 3)
  --concurrency C        concurrent handshake workers     (default 32)
  --handshakes N         cap on handshakes per phase      (default 50000)
  --count N              pipelined rpc requests           (default 20000)
  --window W             rpc requests in flight           (default 64)
  --clients K            fan-out listeners                (default 500)
  --rounds R             fan-out rounds                   (default 10)
  --idle M               idle connections                 (default 10000)
  --runs N               agent runs (offline provider)    (default 2000)
  --run-concurrency C    agent runs in flight             (default 100)
  --invokes N            node.invoke round trips per phase (default 5000)
  --json                 print JSON instead of the table
`;

const FULL: Sizes = {
  handshakeSeconds: 3, handshakeMax: 50_000, handshakeConcurrency: 32, rpcCount: 20_000, rpcWindow: 64,
  fanoutClients: 500, fanoutRounds: 10, idleConnections: 10_000, runsCount: 2000, runsConcurrency: 100,
  nodesInvokes: 5000,
};
/**
 * Sizes for the official gateway. It starts slowly (~6–7 s) but keeps up with the full sizes
 * (a full run against it takes ~1 min), except `node.invoke` (~60/s: 5000 would not finish within
 * a phase's deadline). Any reduction is noted in the report.
 */
const OFFICIAL: Sizes = { ...FULL, nodesInvokes: 1000 };

const RUNNERS: Record<ScenarioName, (ctx: ScenarioContext) => Promise<Metric[]>> = {
  startup: runStartup, handshake: runHandshake, rpc: runRpc, fanout: runFanout, runs: runRuns, channels: runChannels, nodes: runNodes, 'control-ui': runControlUi, idle: runIdle,
};

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number, got ${raw}`);
  return value;
}

function officialWrapper(explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const cached = `${homedir()}/.cache/openclaw-official/openclaw-official`;
  if (existsSync(cached)) return cached;
  // ../shared beside the project root (this file runs as dist/bench/run.js).
  const installer = fileURLToPath(new URL('../../../shared/tools/official-openclaw.sh', import.meta.url));
  if (!existsSync(installer)) fail(`official gateway not found at ${cached}; pass --official-bin`);
  log(`installing the official CLI with ${installer} …`);
  return execFileSync('bash', [installer], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() ?? cached;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'no-ours': { type: 'boolean' }, official: { type: 'boolean' }, url: { type: 'string' }, against: { type: 'string' },
      token: { type: 'string' }, transport: { type: 'string' }, 'ours-bin': { type: 'string' }, 'official-bin': { type: 'string' },
      scenarios: { type: 'string' }, duration: { type: 'string' }, concurrency: { type: 'string' },
      handshakes: { type: 'string' }, count: { type: 'string' }, window: { type: 'string' }, clients: { type: 'string' },
      rounds: { type: 'string' }, idle: { type: 'string' }, runs: { type: 'string' }, 'run-concurrency': { type: 'string' }, invokes: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const selected = new Set<ScenarioName>();
  for (const name of (values.scenarios ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const known = SCENARIOS.find((s) => s === name);
    if (known === undefined) fail(`unknown scenario "${name}"`);
    selected.add(known);
  }
  const overrides: Partial<Record<keyof Sizes, number>> = {
    handshakeSeconds: positive('duration', values.duration), handshakeConcurrency: positive('concurrency', values.concurrency),
    handshakeMax: positive('handshakes', values.handshakes), rpcCount: positive('count', values.count),
    rpcWindow: positive('window', values.window), fanoutClients: positive('clients', values.clients),
    fanoutRounds: positive('rounds', values.rounds), idleConnections: positive('idle', values.idle),
    runsCount: positive('runs', values.runs), runsConcurrency: positive('run-concurrency', values['run-concurrency']),
    nodesInvokes: positive('invokes', values.invokes),
  };
  const sized = (base: Sizes): Sizes => {
    const result: Record<keyof Sizes, number> = { ...base };
    for (const key of Object.keys(base) as (keyof Sizes)[]) {
      const value = overrides[key];
      if (value !== undefined) result[key] = key === 'handshakeSeconds' ? value : Math.round(value);
    }
    return result;
  };

  const targets: { spec: TargetSpec; sizes: Sizes; notes: string[] }[] = [];
  if (values['no-ours'] !== true) {
    const bin = values['ours-bin'] ?? fileURLToPath(new URL('../../bin/openclaw', import.meta.url));
    const transport = values.transport;
    targets.push({
      spec: {
        kind: 'spawn', name: 'ours', command: process.execPath, readyTimeoutMs: 30_000,
        args: (port, token) => [bin, 'gateway', '--port', String(port), '--token', token],
        env: (stateDir) => ({ OPENCLAW_STATE_DIR: stateDir, ...(transport === undefined ? {} : { OPENCLAW_TRANSPORT: transport }) }),
        configPath: (stateDir) => join(stateDir, 'openclaw.json'),
      },
      sizes: sized(FULL), notes: transport === undefined ? [] : [`transport ${transport}`],
    });
  }
  if (values.official === true) {
    const wrapper = officialWrapper(values['official-bin']);
    const sizes = sized(OFFICIAL);
    const reduced = (Object.keys(FULL) as (keyof Sizes)[]).filter((key) => sizes[key] !== FULL[key] && overrides[key] === undefined);
    targets.push({
      spec: {
        kind: 'spawn', name: 'official', command: wrapper, readyTimeoutMs: 60_000,
        args: (port, token) => ['gateway', 'run', '--port', String(port), '--token', token, '--allow-unconfigured', '--bind', 'loopback'],
        env: (stateDir) => ({ OFFICIAL_HOME: stateDir }),
        configPath: (stateDir) => join(stateDir, '.openclaw', 'openclaw.json'),
      },
      sizes,
      notes: reduced.length === 0 ? [] : [`smaller default sizes for the official gateway (slow): ${reduced.map((k) => `${k}=${sizes[k]}`).join(', ')}`],
    });
  }
  const url = values.url ?? values.against;
  if (url !== undefined) {
    if (!/^wss?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url)) fail(`--url must point at loopback, got ${url}`);
    if (values.token === undefined) fail('--url needs --token');
    targets.push({ spec: { kind: 'url', name: 'url', url, token: values.token }, sizes: sized(FULL), notes: [url] });
  }
  if (targets.length === 0) fail('no target: drop --no-ours or add --official / --url');

  const reports: TargetReport[] = [];
  for (const { spec, sizes, notes } of targets) {
    const report: TargetReport = { name: spec.name, sizes, metrics: [], notes: [...notes], errors: [] };
    reports.push(report);
    if (spec.kind === 'spawn' && spec.name === 'ours' && !existsSync(spec.args(0, '')[0] ?? '')) {
      report.errors.push(`our gateway CLI not found at ${spec.args(0, '')[0] ?? '?'}`);
      continue;
    }
    let target;
    try {
      target = await startTarget(spec, log);
    } catch (error) {
      report.errors.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    try {
      for (const name of SCENARIOS) {
        if (!selected.has(name)) continue;
        log(`${spec.name}: ${name} …`);
        const ctx: ScenarioContext = { target, sizes, log: (m) => log(`${spec.name}: ${m}`), note: (m) => report.notes.push(m) };
        try {
          report.metrics.push(...(await RUNNERS[name](ctx)));
        } catch (error) {
          report.errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    } finally {
      await target.stop();
    }
  }
  process.stdout.write(values.json === true ? renderJson(reports) : renderTable(reports));
  return reports.some((r) => r.errors.length > 0) ? 1 : 0;
}

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping gateways`);
    killAllSync();
    process.exit(130);
  });
}
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    killAllSync();
    process.exit(1);
  },
);
