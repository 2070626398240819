import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { ClientPool } from './client-pool.js';
import type { Frame } from './raw-client.js';

/** `stateVersion.presence` of a presence event. */
export const presenceVersion = (frame: Frame): number => (frame.stateVersion as { presence: number }).presence;

/**
 * Gateways started one after another on one state dir (restart and crash tests). After each test
 * every process still running is killed and the state dir removed; `pool` connects to the newest.
 */
export function useRestartableGateway(): { pool: ClientPool; freshStateDir(): string; start(dir: string): Promise<GatewayProcess> } {
  let stateDir: string | undefined;
  const running: GatewayProcess[] = [];
  let url = '';
  const pool = new ClientPool(() => url);
  afterEach(async () => {
    pool.closeAll();
    for (const gateway of running.splice(0)) await gateway.stop('SIGKILL');
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    stateDir = undefined;
  });
  return {
    pool,
    freshStateDir: () => (stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'))),
    start: async (dir) => {
      const gateway = await startGatewayProcess({ stateDir: dir });
      running.push(gateway);
      url = gateway.url;
      return gateway;
    },
  };
}
