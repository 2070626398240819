import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient } from '../helpers/raw-client.js';
import { ensureOfficial, makeOfficialHome, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli, type OfficialCliResult } from '../helpers/official.js';

/**
 * The official `openclaw` CLI (2026.9.6) is the oracle: every command here is one of the captures
 * in CLI-FRAMES.md, run against our gateway. A command passes when it exits 0 and prints what the
 * real product would print for our state.
 */

const CLI_TEST_TIMEOUT_MS = 90_000;

let gateway: GatewayProcess;
let serverVersion: string;

/** `--url … --token …` of the gateway under test. */
const target = (): string[] => ['--url', gateway.url, '--token', gateway.token];

/** Runs the official CLI and insists on exit 0 (printing its output when it is not). */
async function ok(args: string[], env?: Record<string, string>): Promise<OfficialCliResult> {
  const result = await runOfficialCli(args, env);
  expect(result.code, `openclaw ${args.join(' ')}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
  return result;
}

/** Runs the official CLI, expects exit 0 and JSON on stdout. */
async function okJson<T = Record<string, unknown>>(args: string[], env?: Record<string, string>): Promise<T> {
  const { stdout } = await ok(args, env);
  try {
    return JSON.parse(stdout) as T;
  } catch (error) {
    throw new Error(`openclaw ${args.join(' ')} printed no JSON:\n${stdout}`, { cause: error });
  }
}

interface PresenceRow {
  text?: string;
  mode?: string;
  reason?: string;
  ts: number;
}

interface StatusPayload {
  runtimeVersion: string;
  queuedSystemEvents: string[];
  sessions: { byAgent: Array<{ agentId: string }> };
  heartbeat: { defaultAgentId: string };
}

beforeAll(async () => {
  await ensureOfficial();
  gateway = await startGatewayProcess();
  const { client, hello } = await connectClient(gateway.url, {}, gateway.token);
  serverVersion = (hello.server as { version: string }).version;
  client.close();
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

describe('official CLI: gateway call', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('prints our health snapshot for `gateway call health --json`', async () => {
    const health = await okJson<{ ok: boolean; ts: number; defaultAgentId: string }>(['gateway', 'call', 'health', ...target(), '--json']);
    expect(health.ok).toBe(true);
    expect(typeof health.ts).toBe('number');
    expect(health.defaultAgentId).toBe('main');
  });

  it('prints our status summary for `gateway call status --json`', async () => {
    const status = await okJson<StatusPayload>(['gateway', 'call', 'status', ...target(), '--json']);
    expect(status.runtimeVersion).toBe(serverVersion);
    expect(status.sessions.byAgent.map((a) => a.agentId)).toContain('main');
    expect(Array.isArray(status.queuedSystemEvents)).toBe(true);
  });

  it('prints the roster, gateway self row first, for `gateway call system-presence --json`', async () => {
    const roster = await okJson<PresenceRow[]>(['gateway', 'call', 'system-presence', ...target(), '--json']);
    expect(Array.isArray(roster)).toBe(true);
    expect(roster[0]).toMatchObject({ mode: 'gateway', reason: 'self' });
  });

  it('journals `gateway call system-event`: the beacon joins the roster and the text is queued', async () => {
    const text = 'hello from official';
    const result = await okJson(['gateway', 'call', 'system-event', '--params', JSON.stringify({ text }), ...target(), '--json']);
    expect(result).toEqual({ ok: true });

    const roster = await okJson<PresenceRow[]>(['gateway', 'call', 'system-presence', ...target(), '--json']);
    expect(roster.map((row) => row.text)).toContain(text);

    const status = await okJson<StatusPayload>(['gateway', 'call', 'status', ...target(), '--json']);
    expect(status.queuedSystemEvents).toContain(text);

    const replay = await okJson<{ events: Array<{ event: string; seq: number; payload: { presence?: PresenceRow[] } }>; lastSeq: number }>([
      'gateway', 'call', 'events.replay', '--params', JSON.stringify({ afterSeq: 0 }), ...target(), '--json',
    ]);
    const presenceWithBeacon = replay.events.filter((e) => e.event === 'presence' && e.payload.presence?.some((row) => row.text === text));
    expect(presenceWithBeacon.length).toBeGreaterThan(0);
    expect(replay.lastSeq).toBeGreaterThanOrEqual(presenceWithBeacon.at(-1)?.seq ?? Infinity);
  });

  it('answers `gateway call agents.list`, `last-heartbeat` and `wake`', async () => {
    const agents = await okJson<{ defaultId: string; mainKey: string; scope: string; agents: Array<{ id: string }> }>([
      'gateway', 'call', 'agents.list', ...target(), '--json',
    ]);
    expect(agents).toMatchObject({ defaultId: 'main', mainKey: 'main', scope: 'per-sender' });
    expect(agents.agents.map((a) => a.id)).toContain('main');

    expect(await okJson(['gateway', 'call', 'last-heartbeat', ...target(), '--json'])).toBeNull();

    const wake = await okJson(['gateway', 'call', 'wake', '--params', JSON.stringify({ mode: 'next-heartbeat', text: 'wake via call' }), ...target(), '--json']);
    expect(wake).toEqual({ ok: true });
  });

  it('reports our wire errors as gateway_request_error with exit 1', async () => {
    const unknown = await runOfficialCli(['gateway', 'call', 'no.such.method', ...target(), '--json']);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({
      ok: false,
      error: { type: 'gateway_request_error', code: 'INVALID_REQUEST', message: 'unknown method: no.such.method', retryable: false },
    });

    const badParams = await runOfficialCli(['gateway', 'call', 'system-event', '--params', '{"text":"   "}', ...target(), '--json']);
    expect(badParams.code).toBe(1);
    expect(JSON.parse(badParams.stdout)).toMatchObject({
      ok: false,
      error: { type: 'gateway_request_error', code: 'INVALID_REQUEST', message: 'text required' },
    });

    const badToken = await runOfficialCli(['gateway', 'call', 'health', '--url', gateway.url, '--token', 'not-the-token', '--json']);
    expect(badToken.code).toBe(1);
    expect(JSON.parse(badToken.stdout)).toMatchObject({
      ok: false,
      error: {
        type: 'gateway_request_error',
        code: 'INVALID_REQUEST',
        message: expect.stringMatching(/^unauthorized: gateway token mismatch/),
        details: { code: 'AUTH_TOKEN_MISMATCH' },
      },
    });
  });
});

describe('official CLI: gateway health / gateway status', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('prints "Gateway Health" and OK for `gateway health`', async () => {
    const { stdout } = await ok(['gateway', 'health', ...target()]);
    expect(stdout).toContain('Gateway Health');
    expect(stdout).toMatch(/^OK\b/m);
  });

  it('prints the health snapshot for `gateway health --json`', async () => {
    const health = await okJson<{ ok: boolean; agents: Array<{ agentId: string }> }>(['gateway', 'health', ...target(), '--json']);
    expect(health.ok).toBe(true);
    expect(health.agents.map((a) => a.agentId)).toContain('main');
  });

  it('classifies the cli/probe connection by the scopes we keep (operator.read → read_only)', async () => {
    const report = await okJson<{ rpc: { ok: boolean; kind: string; capability: string; auth: { role: string; scopes: string[] }; server: { version: string } } }>([
      'gateway', 'status', ...target(), '--json',
    ]);
    // The real 2026.9.6 gateway clears a probe's scopes (connected_no_operator_scope); ours keeps them.
    expect(report.rpc).toMatchObject({
      ok: true,
      kind: 'connect',
      capability: 'read_only',
      auth: { role: 'operator', scopes: ['operator.read'] },
      server: { version: serverVersion },
    });
  });

  it('reads `status` over the backend client for `gateway status --json --require-rpc`', async () => {
    const report = await okJson<{ rpc: { ok: boolean; kind: string; capability: string } }>(['gateway', 'status', ...target(), '--json', '--require-rpc']);
    expect(report.rpc).toMatchObject({ ok: true, kind: 'read', capability: 'read_only' });
  });
});

describe('official CLI: system commands', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('prints the roster as JSON for `system presence`', async () => {
    const { stdout } = await ok(['system', 'presence', ...target()]);
    const roster = JSON.parse(stdout) as PresenceRow[];
    expect(roster[0]).toMatchObject({ mode: 'gateway', reason: 'self' });
  });

  it('maps `system event --mode now` to `wake` and the text is queued on the main session', async () => {
    const text = 'wake from official cli';
    expect(await okJson(['system', 'event', '--text', text, '--mode', 'now', ...target(), '--json'])).toEqual({ ok: true });
    const { stdout } = await ok(['system', 'event', '--text', `${text} (text mode)`, '--mode', 'now', ...target()]);
    expect(stdout.trim()).toBe('ok');

    const status = await okJson<StatusPayload>(['gateway', 'call', 'status', ...target(), '--json']);
    expect(status.queuedSystemEvents).toEqual(expect.arrayContaining([text, `${text} (text mode)`]));
  });

  it('prints null for `system heartbeat last` (no heartbeat journaled yet)', async () => {
    const { stdout } = await ok(['system', 'heartbeat', 'last', ...target()]);
    expect(stdout.trim()).toBe('null');
  });
});

describe('official CLI: top-level health / status', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('prints our health snapshot for `health --json` (target from OPENCLAW_GATEWAY_URL/TOKEN)', async () => {
    const health = await okJson<{ ok: boolean; defaultAgentId: string }>(['health', '--json'], {
      OPENCLAW_GATEWAY_URL: gateway.url,
      OPENCLAW_GATEWAY_TOKEN: gateway.token,
    });
    expect(health).toMatchObject({ ok: true, defaultAgentId: 'main' });
  });

  it('prints an idle event loop for `health` (not util=1 cpu=1)', async () => {
    const { client } = await connectClient(gateway.url, {}, gateway.token);
    try {
      const interval = async () => ((await client.call('health')).payload as { eventLoop: { intervalMs: number } }).eventLoop.intervalMs;
      await expect.poll(interval, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(900);
    } finally {
      client.close();
    }
    const { stdout } = await ok(['health'], { OPENCLAW_GATEWAY_URL: gateway.url, OPENCLAW_GATEWAY_TOKEN: gateway.token });
    const figures = /util=([\d.]+) cpu=([\d.]+)/.exec(stdout);
    expect(figures, stdout).not.toBeNull();
    expect(Number(figures?.[1])).toBeLessThan(0.5);
    expect(Number(figures?.[2])).toBeLessThan(0.5);
  });

  it('summarises agents and the session store for `health` (text)', async () => {
    const { stdout } = await ok(['health'], { OPENCLAW_GATEWAY_URL: gateway.url, OPENCLAW_GATEWAY_TOKEN: gateway.token });
    expect(stdout).toContain('Agents: main (default)');
    expect(stdout).toContain('Heartbeat interval: disabled (main)');
  });

  it('reaches our gateway and renders our `status` payload for `status --json`', async () => {
    // Without a config file `openclaw status` is a "cold start" and skips every network probe, so
    // the target comes from ~/.openclaw/openclaw.json here (as a real install would have it).
    const text = 'queued before openclaw status';
    await okJson(['gateway', 'call', 'system-event', '--params', JSON.stringify({ text }), ...target(), '--json']);
    const home = makeOfficialHome({ gateway: { mode: 'local', port: gateway.port, auth: { token: gateway.token } } });
    try {
      const report = await okJson<{
        runtimeVersion: string | null;
        queuedSystemEvents: string[];
        sessions: { byAgent: Array<{ agentId: string }> };
        gateway: { reachable: boolean; url: string; error: string | null; self: { version?: string } | null };
      }>(['status', '--json'], { OFFICIAL_HOME: home.dir });
      expect(report.gateway).toMatchObject({ reachable: true, url: gateway.url, error: null, self: { version: serverVersion } });
      expect(report.runtimeVersion).toBe(serverVersion);
      expect(report.sessions.byAgent.map((a) => a.agentId)).toContain('main');
      expect(report.queuedSystemEvents).toContain(text);
    } finally {
      home.cleanup();
    }
  });
});
