/**
 * Profiles (runbook "Dev profile" and "Multiple gateways"; PROTOCOL.md §10.1, §11.4): the dev quick
 * path on a fresh HOME, and two named profiles side by side with separate config, state, tokens
 * and ports.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type Daemon } from '../helpers/cli-process.js';
import { freePort } from '../helpers/gateway-process.js';

const daemons: Daemon[] = [];
let home: string | undefined;

beforeAll(() => {
  // Profiles resolve everything from HOME; nothing inherited may point elsewhere.
  for (const key of ['OPENCLAW_STATE_DIR', 'OPENCLAW_CONFIG_PATH', 'OPENCLAW_PROFILE', 'OPENCLAW_HOME', 'OPENCLAW_WORKSPACE_DIR', 'OPENCLAW_GATEWAY_PORT', 'OPENCLAW_CANVAS_HOST_PORT', 'OPENCLAW_SKIP_CANVAS_HOST']) {
    delete process.env[key];
  }
});

afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop('SIGKILL')));
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

const freshHome = () => (home = mkdtempSync(join(tmpdir(), 'openclaw-home-')));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { gateway: { port: number; auth: { token: string } }; agents: { defaults: { workspace: string } } };

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('dev profile quick path', () => {
  it('setup, gateway --allow-unconfigured, status and health work on a fresh HOME', async () => {
    expect(await portIsFree(19001), 'port 19001 (the dev profile port) must be free for this test').toBe(true);
    const env = { HOME: freshHome() };

    const setup = await runCli(['--dev', 'setup'], { env });
    expect(setup.code, setup.stderr).toBe(0);
    const configPath = join(home as string, '.openclaw-dev', 'openclaw.json');
    const config = readJson(configPath);
    expect(config).toMatchObject({ gateway: { mode: 'local', port: 19001, bind: 'loopback', auth: { mode: 'token', token: expect.stringMatching(/^[0-9a-f]{48}$/) } } });
    expect(config.agents.defaults.workspace).toBe(join(home as string, '.openclaw', 'workspace-dev'));
    expect(existsSync(join(config.agents.defaults.workspace, 'canvas'))).toBe(true);
    expect(setup.stdout).toContain(config.gateway.auth.token);
    // A second setup keeps what exists.
    expect((await runCli(['--dev', 'setup'], { env })).code).toBe(0);
    expect(readJson(configPath).gateway.auth.token).toBe(config.gateway.auth.token);

    const gateway = spawnCli(['--dev', 'gateway', '--allow-unconfigured'], env);
    daemons.push(gateway);
    await gateway.waitForOutput(/listening on ws:\/\/127\.0\.0\.1:19001/);
    expect(gateway.output()).toContain('canvas host on http://127.0.0.1:19005/__openclaw__/canvas/');
    expect(await httpStatus(19005, '/__openclaw__/canvas/')).toBe(200);

    const status = await runCli(['--dev', 'status'], { env, timeoutMs: 30_000 });
    expect(status.code, status.stdout + status.stderr).toBe(0);
    const health = await runCli(['--dev', 'health'], { env, timeoutMs: 30_000 });
    expect(health.code, health.stdout + health.stderr).toBe(0);
    const logs = await runCli(['--dev', 'logs', '--limit', '20'], { env });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('listening on ws://127.0.0.1:19001');
    expect(existsSync(join(home as string, '.openclaw-dev', 'logs', 'gateway.log'))).toBe(true);

    // The default profile was never touched.
    expect(readdirSync(join(home as string, '.openclaw'))).toEqual(['workspace-dev']);
    expect(readFileSync(join(home as string, '.openclaw-dev', 'logs', 'gateway.log'), 'utf8')).not.toContain(config.gateway.auth.token);
  });
});

describe('named profiles', () => {
  it('run side by side with their own config, state, token and ports', async () => {
    const env = { HOME: freshHome() };
    const ports = { a: await freePort(), b: await freePort() };
    for (const name of ['a', 'b'] as const) {
      const setup = await runCli(['--profile', name, 'setup', '--port', String(ports[name])], { env });
      expect(setup.code, setup.stderr).toBe(0);
    }
    const configs = { a: readJson(join(home as string, '.openclaw-a', 'openclaw.json')), b: readJson(join(home as string, '.openclaw-b', 'openclaw.json')) };
    expect(configs.a.gateway.auth.token).not.toBe(configs.b.gateway.auth.token);
    expect(configs.a.agents.defaults.workspace).not.toBe(configs.b.agents.defaults.workspace);

    for (const name of ['a', 'b'] as const) {
      const gateway = spawnCli(['--profile', name, 'gateway'], env);
      daemons.push(gateway);
      await gateway.waitForOutput(new RegExp(`listening on ws://127\\.0\\.0\\.1:${ports[name]}`));
      expect(gateway.output()).toContain(`canvas host on http://127.0.0.1:${ports[name] + 4}/`);
    }
    for (const name of ['a', 'b'] as const) {
      const call = await runCli(['--profile', name, 'gateway', 'call', 'status', '--json'], { env });
      expect(call.code, call.stderr).toBe(0);
      expect(JSON.parse(call.stdout)).toMatchObject({ journal: { path: join(home as string, `.openclaw-${name}`, 'journal.sqlite') } });
      const logs = await runCli(['--profile', name, 'logs', '--json', '--limit', '50'], { env });
      expect(logs.stdout).toContain(`listening on ws://127.0.0.1:${ports[name]}`);
      expect(logs.stdout).not.toContain(`listening on ws://127.0.0.1:${ports[name === 'a' ? 'b' : 'a']}`);
    }
    // A's token does not open B.
    const cross = await runCli(['gateway', 'call', 'health', '--url', `ws://127.0.0.1:${ports.b}`, '--token', configs.a.gateway.auth.token, '--json'], { env });
    expect(cross.code).toBe(1);
    expect(cross.stdout).toContain('AUTH_TOKEN_MISMATCH');
  });
});
