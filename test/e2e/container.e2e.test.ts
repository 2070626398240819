/**
 * The Dockerfile and compose file (issue 11 item 7). Where a container engine answers
 * (`docker info`), the image is built and run: healthy on /readyz, `health` over the socket, exit
 * 0 on `docker stop`. Without one (this CI machine has only the docker client), what the image
 * would run is run here: the Dockerfile's ENV, ENTRYPOINT + CMD and HEALTHCHECK command against a
 * local gateway with /data mapped to a temp dir, then SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { connectClient } from '../helpers/raw-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'container-token-0123456789';

/** Dockerfile instructions of the final stage (continuations joined), plus every FROM. */
function readDockerfile(): { from: string[]; final: Array<{ op: string; args: string }> } {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const all = lines.map((line) => ({ op: (line.split(/\s+/)[0] ?? '').toUpperCase(), args: line.slice(line.indexOf(' ') + 1).trim() }));
  const lastFrom = all.map((i) => i.op).lastIndexOf('FROM');
  return { from: all.filter((i) => i.op === 'FROM').map((i) => i.args), final: all.slice(lastFrom) };
}

const dockerfile = readDockerfile();
const one = (op: string) => dockerfile.final.filter((i) => i.op === op).map((i) => i.args);
const execForm = (args: string) => JSON.parse(args) as string[];
const imageEnv = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const args of one('ENV')) for (const m of args.matchAll(/(\w+)=(\S+)/g)) env[m[1] as string] = m[2] as string;
  return env;
};
const healthcheckCommand = () => execForm((one('HEALTHCHECK')[0] ?? '').replace(/^.*?CMD\s+/, ''));
const dockerAvailable = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

describe('container image definition', () => {
  it('builds native modules in a build stage and runs as a non-root user with state on /data', () => {
    expect(dockerfile.from).toHaveLength(2);
    expect(dockerfile.from[0]).toMatch(/ AS build$/);
    const build = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(build).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(build).toContain('ENV npm_config_build_from_source=true');
    expect(one('USER')).toEqual(['node']);
    expect(one('VOLUME')).toEqual(['["/data"]']);
    expect(imageEnv()).toMatchObject({ OPENCLAW_STATE_DIR: '/data', OPENCLAW_CONFIG_PATH: '/data/openclaw.json', OPENCLAW_GATEWAY_PORT: '18789' });
    expect(one('EXPOSE')).toEqual(['18789']);
    expect(one('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(one('HEALTHCHECK')[0]).toContain('/readyz');
    expect(execForm(one('ENTRYPOINT')[0] ?? '[]')).toEqual(['node', '/app/bin/openclaw']);
    expect(execForm(one('CMD')[0] ?? '[]')).toEqual(['gateway', '--bind', 'lan']);
    const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
    expect(compose).toContain('- openclaw-state:/data');
    expect(compose).toContain('- "127.0.0.1:18789:18789"');
    expect(compose).toContain('OPENCLAW_GATEWAY_TOKEN: ${OPENCLAW_GATEWAY_TOKEN:?set OPENCLAW_GATEWAY_TOKEN}');
  });

  it.skipIf(dockerAvailable)('without a container engine: the image command and healthcheck work against a local gateway with the image env', async () => {
    const data = mkdtempSync(join(tmpdir(), 'openclaw-container-'));
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: data,
      ...Object.fromEntries(Object.entries(imageEnv()).map(([k, v]) => [k, v.replace(/^\/data/, data)])),
      OPENCLAW_GATEWAY_PORT: String(port),
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
    };
    const [node, entry] = execForm(one('ENTRYPOINT')[0] ?? '[]');
    const command = [(entry ?? '').replace(/^\/app/, ROOT), ...execForm(one('CMD')[0] ?? '[]')];
    expect(node).toBe('node');
    const child = spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      const [checkNode, ...checkArgs] = healthcheckCommand();
      expect(checkNode).toBe('node');
      const healthy = () => spawnSync(process.execPath, checkArgs, { env, timeout: 5000 }).status === 0;
      const deadline = Date.now() + 30_000;
      while (!healthy()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the healthcheck never passed:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200)); // docker's own --interval, shortened
      }
      while (!/listening on ws:\/\//.test(output)) await once(child.stdout, 'data'); // spawnSync held the event loop
      expect(output).toMatch(/listening on ws:\/\/0\.0\.0\.0:/); // --bind lan, as in the container
      const { client } = await connectClient(`ws://127.0.0.1:${port}`, {}, TOKEN);
      const health = await client.call('health');
      expect(health.ok).toBe(true);
      client.close();
      expect(existsSync(join(data, 'journal.sqlite'))).toBe(true);
      expect(existsSync(join(data, 'openclaw.json'))).toBe(true);
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  }, 60_000);

  it.skipIf(!dockerAvailable)('with a container engine: builds the image, becomes healthy, answers health, stops with exit 0', async () => {
    const tag = `openclaw-gateway-test:${process.pid}`;
    const docker = (args: string[], timeout = 600_000) => spawnSync('docker', args, { encoding: 'utf8', timeout });
    const built = docker(['build', '-t', tag, ROOT]);
    expect(built.status, built.stderr).toBe(0);
    const run = docker(['run', '-d', '-e', `OPENCLAW_GATEWAY_TOKEN=${TOKEN}`, '-p', '127.0.0.1::18789', tag]);
    expect(run.status, run.stderr).toBe(0);
    const id = run.stdout.trim();
    try {
      const deadline = Date.now() + 120_000;
      while (docker(['inspect', '--format', '{{.State.Health.Status}}', id]).stdout.trim() !== 'healthy') {
        if (Date.now() > deadline) throw new Error(docker(['logs', id]).stdout);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const mapped = docker(['port', id, '18789/tcp']).stdout.trim().split('\n')[0] ?? '';
      const { client } = await connectClient(`ws://${mapped}`, {}, TOKEN);
      expect((await client.call('health')).ok).toBe(true);
      client.close();
      expect(docker(['stop', id]).status).toBe(0);
      expect(docker(['inspect', '--format', '{{.State.ExitCode}}', id]).stdout.trim()).toBe('0');
    } finally {
      docker(['rm', '-f', id]);
      docker(['rmi', '-f', tag]);
    }
  }, 900_000);
});
