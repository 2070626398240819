/**
 * The CLI clients (PROTOCOL.md §10.3): `gateway call`, `gateway health` and `gateway journal tail`
 * against a real gateway process, with their output and exit codes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { jsonLines, runCli } from '../helpers/cli-process.js';
import { ClientPool } from '../helpers/client-pool.js';

let gateway: GatewayProcess;
const pool = new ClientPool(() => gateway.url);
/** CLI runs get the gateway's state dir, so nothing is read from the user's home. */
const cli = (args: string[]) => runCli(args, { env: { OPENCLAW_STATE_DIR: gateway.stateDir } });
const target = () => ['--url', gateway.url, '--token', gateway.token];

beforeAll(async () => {
  gateway = await startGatewayProcess();
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

describe('openclaw gateway call', () => {
  it('prints the health payload as JSON and exits 0', async () => {
    const result = await cli(['gateway', 'call', 'health', ...target()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, defaultAgentId: 'main', agents: [expect.objectContaining({ agentId: 'main' })] });
  });

  it('sends --params verbatim: system-event with text', async () => {
    const text = `from the cli ${randomUUID()}`;
    const result = await cli(['gateway', 'call', 'system-event', ...target(), '--params', JSON.stringify({ text })]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true });
    const { client } = await pool.connect();
    const roster = (await client.call('system-presence')).payload as Array<{ text?: string }>;
    expect(roster).toContainEqual(expect.objectContaining({ text }));
  });

  it('prints {"ok":false,"error":{"type":"gateway_request_error",…}} with --json for an unknown method, exit 1', async () => {
    const result = await cli(['gateway', 'call', 'x', ...target(), '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: { type: 'gateway_request_error', code: 'INVALID_REQUEST', message: 'unknown method: x' },
    });
  });

  it('prints one line on stderr without --json for an unknown method, exit 1', async () => {
    const result = await cli(['gateway', 'call', 'x', ...target()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('Gateway call failed: unknown method: x\n');
  });

  it('reports a wrong token as a gateway_request_error with the auth details code', async () => {
    const result = await cli(['gateway', 'call', 'health', '--url', gateway.url, '--token', 'wrong', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      error: { type: 'gateway_request_error', code: 'INVALID_REQUEST', details: { code: 'AUTH_TOKEN_MISMATCH' } },
    });
  });

  it('fails fast with a clear message when nothing listens on the port, exit 1', async () => {
    const closedPort = await freePort();
    const url = `ws://127.0.0.1:${closedPort}`;
    const result = await cli(['gateway', 'call', 'health', '--url', url, '--token', 't']);
    expect(result.code).toBe(1);
    expect(result.durationMs).toBeLessThan(3000);
    expect(result.stderr).toBe(`Gateway call failed: gateway unreachable at ${url}: ECONNREFUSED\n`);
  });

  it('refuses --url without a token: gateway_credentials_required, exit 1', async () => {
    const result = await cli(['gateway', 'call', 'health', '--url', gateway.url, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: {
        type: 'gateway_credentials_required',
        message: '--url needs --token or --password (no config or env credentials are used with an explicit URL)',
      },
    });
  });

  it('ignores OPENCLAW_GATEWAY_TOKEN when --url is given', async () => {
    const result = await runCli(['gateway', 'call', 'health', '--url', gateway.url, '--json'], {
      env: { OPENCLAW_STATE_DIR: gateway.stateDir, OPENCLAW_GATEWAY_TOKEN: gateway.token },
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { type: 'gateway_credentials_required' } });
  });

  it('answers a unary method with --expect-final', async () => {
    const result = await cli(['gateway', 'call', 'status', ...target(), '--expect-final']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ runtimeVersion: expect.any(String), sessions: { byAgent: expect.any(Array) } });
  });
});

describe('openclaw gateway health', () => {
  it('prints the text summary and exits 0', async () => {
    const result = await cli(['gateway', 'health', '--port', String(gateway.port), '--token', gateway.token]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Gateway Health');
    expect(lines[1]).toMatch(new RegExp(`^OK \\(\\d+ms\\) at ws://127\\.0\\.0\\.1:${gateway.port}$`));
    expect(lines[2]).toBe('Default agent: main; agents: main');
    expect(lines[3]).toBe('Channels: none configured');
  });

  it('prints the snapshot with --json', async () => {
    const result = await cli(['gateway', 'health', '--url', gateway.url, '--token', gateway.token, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, defaultAgentId: 'main' });
  });
});

describe('openclaw gateway journal tail', () => {
  it('prints the newest facts as 3 JSON lines with --limit 3', async () => {
    const result = await cli(['gateway', 'journal', 'tail', '--limit', '3']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
    for (const line of lines) {
      expect(line).toEqual({
        seq: expect.any(Number),
        stream: expect.any(String),
        position: expect.any(Number),
        ts: expect.any(Number),
        type: expect.any(String),
        data: expect.anything(),
      });
    }
    const seqs = lines.map((line) => line.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('fails with a clear message when the state dir has no journal, exit 1', async () => {
    const result = await runCli(['gateway', 'journal', 'tail', '--limit', '3'], { env: { OPENCLAW_STATE_DIR: `${gateway.stateDir}/missing` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `openclaw gateway journal tail: no journal at ${gateway.stateDir}/missing/journal.sqlite (set OPENCLAW_STATE_DIR to the gateway's state dir)\n`,
    );
  });
});
