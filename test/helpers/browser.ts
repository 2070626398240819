import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT, officialCacheDir, officialNodePath } from './official.js';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM = process.env.OPENCLAW_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where browser tests write their screenshots (gitignored). */
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');

/**
 * One headless Chromium for one test file (playwright gives every launch a fresh temporary
 * user-data-dir and removes it on close; each context is a fresh browser profile on top).
 * `hostMap` names resolve to 127.0.0.1 (a "foreign" site that is still on loopback).
 */
export async function launchBrowser(options: { hostMap?: readonly string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      ...(options.hostMap?.length ? [`--host-resolver-rules=${options.hostMap.map((host) => `MAP ${host} 127.0.0.1`).join(',')}`] : [])],
  });
}

/** Saves a screenshot of `page` as test-artifacts/<name>.png. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Every WebSocket frame a page sends or receives, parsed. */
export function recordFrames(page: Page): Array<{ dir: 'in' | 'out'; frame: any }> {
  const frames: Array<{ dir: 'in' | 'out'; frame: any }> = [];
  page.on('websocket', (ws) => {
    const add = (dir: 'in' | 'out') => (event: { payload: string | Buffer }) => {
      try {
        frames.push({ dir, frame: JSON.parse(String(event.payload)) });
      } catch {
        // not JSON: ignored
      }
    };
    ws.on('framesent', add('out'));
    ws.on('framereceived', add('in'));
  });
  return frames;
}

/** `shared/tools/official-control-ui.mjs` beside the project root (or one of its parents), if there. */
export function officialControlUiScript(): string | undefined {
  for (let dir = PROJECT_ROOT; ; dir = dirname(dir)) {
    const candidate = resolve(dir, '../shared/tools/official-control-ui.mjs');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Serves the official Control UI bundle on `uiPort`, its WebSocket piped to our gateway on `gatewayPort`. */
export async function startOfficialUi(script: string, uiPort: number, gatewayPort: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn(officialNodePath(), [script, String(uiPort), String(gatewayPort)], {
    env: { ...process.env, OPENCLAW_OFFICIAL_DIR: officialCacheDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`official UI server did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('official Control UI on')) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`official UI server exited (${code}):\n${output}`));
    });
  });
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
