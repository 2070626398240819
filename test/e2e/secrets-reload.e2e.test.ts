/**
 * SecretRefs end to end (issue 11, item 1): the gateway token comes from a private file; the file
 * is rotated; `openclaw secrets reload` swaps the snapshot without a restart (old token refused,
 * new accepted, sockets already open stay); a reload that cannot resolve keeps the old snapshot
 * and names the key; every outcome is journaled without the value.
 */
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { jsonLines, runCli, spawnCli, type Daemon } from '../helpers/cli-process.js';
import { RawClient, connectClient, connectParams } from '../helpers/raw-client.js';

let stateDir: string;
let tokenFile: string;
let daemon: Daemon | undefined;
let port: number;

const env = () => ({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(stateDir, 'openclaw.json') });
const url = () => `ws://127.0.0.1:${port}`;

/** Writes the token file the way an operator rotates it: a new private file renamed over the old. */
function writeToken(value: string): void {
  const temp = `${tokenFile}.tmp`;
  writeFileSync(temp, `${value}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, tokenFile);
}

async function startGateway(extra: Record<string, unknown> = {}): Promise<Daemon> {
  const config = {
    gateway: { mode: 'local', port, auth: { mode: 'token', token: { source: 'file', provider: 'gwtoken', id: 'value' } } },
    secrets: { providers: { gwtoken: { source: 'file', path: tokenFile, mode: 'singleValue' } } },
    ...extra,
  };
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
  daemon = spawnCli(['gateway'], env());
  await daemon.waitForOutput(/listening on ws:\/\//);
  return daemon;
}

/** The error of a refused connect with `token`. */
async function refusal(token: string): Promise<Record<string, unknown>> {
  const client = await RawClient.open(url());
  try {
    await client.event('connect.challenge');
    const res = await client.response(client.request('connect', connectParams({}, token)));
    expect(res.ok).toBe(false);
    return res.error as Record<string, unknown>;
  } finally {
    client.close();
  }
}

const systemFacts = async (): Promise<Array<Record<string, unknown>>> => {
  const tail = await runCli(['gateway', 'journal', 'tail', '--stream', 'system', '--limit', '50'], { env: env() });
  return jsonLines(tail.stdout);
};

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'openclaw-secrets-'));
  tokenFile = join(stateDir, 'gateway-token');
  port = await freePort();
});
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

describe('secrets: a file-sourced gateway token', () => {
  it('rotates without a restart: old token refused, new accepted, open sockets stay', async () => {
    writeToken('first-token-aaaaaaaaaaaa');
    await startGateway();
    const { client: before } = await connectClient(url(), {}, 'first-token-aaaaaaaaaaaa');

    writeToken('second-token-bbbbbbbbbbb');
    // Still the old snapshot until the reload.
    const early = await connectClient(url(), {}, 'first-token-aaaaaaaaaaaa');
    early.client.close();

    // The gateway still holds the old token: the caller of the reload proves itself with it.
    const reload = await runCli(['secrets', 'reload', '--url', url(), '--token', 'first-token-aaaaaaaaaaaa'], { env: env() });
    expect(reload.stderr).toBe('');
    expect(reload.stdout).toBe('Secrets reloaded.\n');
    expect(reload.code).toBe(0);

    const error = await refusal('first-token-aaaaaaaaaaaa');
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', details: { code: 'AUTH_TOKEN_MISMATCH' } });
    const after = await connectClient(url(), {}, 'second-token-bbbbbbbbbbb');
    after.client.close();
    // The socket opened with the old token is still served.
    expect((await before.call('health')).ok).toBe(true);
    before.close();

    const facts = await systemFacts();
    const reloaded = facts.filter((f) => f.type === 'secrets.reloaded').map((f) => f.data);
    expect(reloaded).toEqual([
      { trigger: 'start', refs: 1, changed: [] },
      { trigger: 'reload', refs: 1, changed: ['gateway.auth.token'] },
    ]);
    const journal = JSON.stringify(facts);
    expect(journal).not.toContain('first-token');
    expect(journal).not.toContain('second-token');
    expect(daemon?.output()).not.toContain('second-token');
  });

  it('keeps the previous snapshot when a ref cannot be resolved, and names the key', async () => {
    writeToken('first-token-aaaaaaaaaaaa');
    await startGateway();
    rmSync(tokenFile);
    const reload = await runCli(['secrets', 'reload', '--url', url(), '--token', 'first-token-aaaaaaaaaaaa', '--json'], { env: env() });
    expect(reload.code).toBe(1);
    const body = JSON.parse(reload.stdout) as { ok: boolean; error: { code: string; message: string; details: unknown } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toBe(`secrets.reload failed: gateway.auth.token: file ${tokenFile} does not exist`);
    expect(body.error.details).toEqual({ code: 'SECRETS_RELOAD_FAILED', path: 'gateway.auth.token' });
    // The old token still works.
    const still = await connectClient(url(), {}, 'first-token-aaaaaaaaaaaa');
    still.client.close();
    const failed = (await systemFacts()).filter((f) => f.type === 'secrets.reload.failed').map((f) => f.data);
    expect(failed).toEqual([{ trigger: 'reload', path: 'gateway.auth.token', reason: `file ${tokenFile} does not exist` }]);
  });

  it('refuses to start (exit 78) when a ref cannot be resolved, naming the key', async () => {
    const config = { gateway: { mode: 'local', auth: { token: '${OPENCLAW_TEST_UNSET_TOKEN}' } } };
    writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
    daemon = spawnCli(['gateway', '--port', String(port)], env());
    const { code } = await daemon.exited;
    expect(code).toBe(78);
    expect(daemon.stderr()).toBe(
      'openclaw gateway: gateway.auth.token: secret reference cannot be resolved: env var OPENCLAW_TEST_UNSET_TOKEN is not set or empty\n',
    );
  });

  it('refuses a group-readable secrets file', async () => {
    writeToken('first-token-aaaaaaaaaaaa');
    chmodSync(tokenFile, 0o644);
    const config = {
      gateway: { mode: 'local', auth: { token: { source: 'file', provider: 'gwtoken', id: 'value' } } },
      secrets: { providers: { gwtoken: { source: 'file', path: tokenFile, mode: 'singleValue' } } },
    };
    writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
    daemon = spawnCli(['gateway', '--port', String(port)], env());
    expect((await daemon.exited).code).toBe(78);
    expect(daemon.stderr()).toContain('gateway.auth.token: secret reference cannot be resolved: file');
    expect(daemon.stderr()).toContain('must not be accessible by group or others (chmod 600)');
  });
});
