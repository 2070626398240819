/**
 * Canvas host (runbook: own port, default base + 4; PROTOCOL.md §9.6: `/__openclaw__/canvas/` on
 * the gateway port): serves `<workspace>/canvas`, refuses path traversal and symlink escapes.
 */
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, type Daemon } from '../helpers/cli-process.js';
import { freePort } from '../helpers/gateway-process.js';

let daemon: Daemon | undefined;
let dir: string | undefined;

afterEach(async () => {
  await daemon?.stop('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
  daemon = undefined;
  dir = undefined;
});

/** A raw GET: the path goes on the wire exactly as given (no URL normalisation). */
function get(port: number, path: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function startWithCanvas(canvasHost: Record<string, unknown>, env: Record<string, string> = {}) {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-canvas-'));
  const workspace = join(dir, 'workspace');
  const canvas = join(workspace, 'canvas');
  mkdirSync(join(canvas, 'sub'), { recursive: true });
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(canvas, 'index.html'), '<h1>canvas index</h1>');
  writeFileSync(join(canvas, 'sub', 'page.js'), 'console.log(1)');
  writeFileSync(join(dir, 'outside', 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(workspace, 'workspace-secret.txt'), 'WORKSPACE SECRET');
  symlinkSync(join(dir, 'outside', 'secret.txt'), join(canvas, 'escape.txt'));
  symlinkSync(join(dir, 'outside'), join(canvas, 'outside-dir'));
  symlinkSync(join(canvas, 'index.html'), join(canvas, 'alias.html'));
  const port = await freePort();
  const configPath = join(dir, 'openclaw.json');
  const config = { gateway: { mode: 'local', port, auth: { mode: 'token', token: 'canvas-token-0123456789' } }, agents: { defaults: { workspace } }, canvasHost };
  writeFileSync(configPath, JSON.stringify(config));
  daemon = spawnCli(['gateway'], { OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: configPath, ...env });
  await daemon.waitForOutput(/listening on ws:\/\//);
  return { port };
}

const refusals = [
  ['/__openclaw__/canvas/../workspace-secret.txt', 403],
  ['/__openclaw__/canvas/sub/../../workspace-secret.txt', 403],
  ['/__openclaw__/canvas/%2e%2e/workspace-secret.txt', 403],
  ['/__openclaw__/canvas/..%2fworkspace-secret.txt', 400],
  ['/__openclaw__/canvas/..%5cworkspace-secret.txt', 400],
  ['/__openclaw__/canvas/index.html%00.txt', 400],
  ['/__openclaw__/canvas/escape.txt', 403],
  ['/__openclaw__/canvas/outside-dir/secret.txt', 403],
  ['/__openclaw__/canvas/missing.html', 404],
] as const;

describe('canvas host', () => {
  it('serves <workspace>/canvas on its own port and on the gateway port', async () => {
    const canvasPort = await freePort();
    const { port } = await startWithCanvas({ port: canvasPort });
    for (const target of [canvasPort, port]) {
      expect(await get(target, '/__openclaw__/canvas/')).toMatchObject({ status: 200, body: '<h1>canvas index</h1>', type: 'text/html; charset=utf-8' });
      expect(await get(target, '/__openclaw__/canvas/sub/page.js')).toMatchObject({ status: 200, body: 'console.log(1)', type: 'text/javascript; charset=utf-8' });
      expect(await get(target, '/__openclaw__/canvas/alias.html')).toMatchObject({ status: 200, body: '<h1>canvas index</h1>' });
      expect((await get(target, '/__openclaw__/canvas')).status).toBe(302);
    }
    expect(daemon?.output()).toContain(`canvas host on http://127.0.0.1:${canvasPort}/__openclaw__/canvas/`);
  });

  it('refuses traversal and symlink escapes on both ports', async () => {
    const canvasPort = await freePort();
    const { port } = await startWithCanvas({ port: canvasPort });
    for (const [path, status] of refusals) {
      const own = await get(canvasPort, path);
      expect({ path, status: own.status }).toEqual({ path, status });
      expect(own.body).not.toMatch(/SECRET/);
      const main = await get(port, path);
      // The gateway port's router normalises dot segments first, so `..` leaves the canvas prefix (404).
      expect(main.status, path).toBeGreaterThanOrEqual(400);
      expect(main.body).not.toMatch(/SECRET/);
    }
  });

  it('is off with canvasHost.enabled=false', async () => {
    const canvasPort = await freePort();
    const { port } = await startWithCanvas({ enabled: false, port: canvasPort });
    expect((await get(port, '/__openclaw__/canvas/')).status).toBe(404);
    await expect(get(canvasPort, '/__openclaw__/canvas/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('is off with OPENCLAW_SKIP_CANVAS_HOST=1', async () => {
    const canvasPort = await freePort();
    const { port } = await startWithCanvas({ port: canvasPort }, { OPENCLAW_SKIP_CANVAS_HOST: '1' });
    expect((await get(port, '/__openclaw__/canvas/')).status).toBe(404);
    await expect(get(canvasPort, '/__openclaw__/canvas/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('listens on OPENCLAW_CANVAS_HOST_PORT when set', async () => {
    const canvasPort = await freePort();
    await startWithCanvas({}, { OPENCLAW_CANVAS_HOST_PORT: String(canvasPort) });
    expect((await get(canvasPort, '/__openclaw__/canvas/')).status).toBe(200);
  });
});
