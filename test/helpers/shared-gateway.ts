import { afterAll, afterEach, beforeAll } from 'vitest';
import { startGatewayProcess, type GatewayProcess, type StartOptions } from './gateway-process.js';
import { ClientPool } from './client-pool.js';

/**
 * One gateway process for a whole test file: started in beforeAll, stopped and cleaned up in
 * afterAll; `pool` sockets are closed after each test. `gateway` reads through to the live process.
 */
export function useSharedGateway(options: StartOptions = {}): { gateway: GatewayProcess; pool: ClientPool } {
  let started: GatewayProcess | undefined;
  const live = (): GatewayProcess => {
    if (!started) throw new Error('the shared gateway is not started yet (use it inside tests or hooks)');
    return started;
  };
  const gateway: GatewayProcess = {
    get port() { return live().port; },
    get url() { return live().url; },
    get token() { return live().token; },
    get stateDir() { return live().stateDir; },
    get child() { return live().child; },
    output: () => live().output(),
    stop: (signal) => live().stop(signal),
    cleanup: () => live().cleanup(),
  };
  const pool = new ClientPool(() => gateway.url);
  beforeAll(async () => {
    started = await startGatewayProcess(options);
  });
  afterEach(() => pool.closeAll());
  afterAll(async () => {
    await started?.stop();
    started?.cleanup();
  });
  return { gateway, pool };
}
