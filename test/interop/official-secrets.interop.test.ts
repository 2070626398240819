import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { ensureOfficial, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli } from '../helpers/official.js';

/** The official `openclaw secrets reload` (2026.9.x) against our gateway: `secrets.reload` over a CLI connection. */

let gateway: GatewayProcess;

beforeAll(async () => {
  await ensureOfficial();
  gateway = await startGatewayProcess();
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

describe('official CLI: secrets reload', { timeout: 90_000 }, () => {
  it('prints "Secrets reloaded." and exits 0', async () => {
    const result = await runOfficialCli(['secrets', 'reload', '--url', gateway.url, '--token', gateway.token]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('Secrets reloaded.');
  });

  it('prints the official result shape with --json', async () => {
    const result = await runOfficialCli(['secrets', 'reload', '--url', gateway.url, '--token', gateway.token, '--json']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, warningCount: 0 });
  });
});
