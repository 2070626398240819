/**
 * Picks the transport at start: uWebSockets.js when a build loads, `ws` otherwise. The daemon
 * maps OPENCLAW_TRANSPORT=uws|ws|auto onto `prefer`; nothing here reads the environment.
 */
import type { Transport, TransportOptions } from './contract.js';
import { openWsTransport } from './ws.js';
import { loadUws, openUwsTransport } from './uws.js';

/** Which transport to open: `auto` (default) prefers uWS and falls back to `ws`. */
export type TransportPreference = 'uws' | 'ws' | 'auto';

/**
 * Opens the preferred transport. `uws` rejects (with the load failures as cause) when no
 * uWebSockets.js build loads; `auto` then uses `ws`; `ws` never tries uWS.
 */
export async function openTransport(
  options: TransportOptions & { prefer?: TransportPreference },
): Promise<Transport> {
  const { prefer = 'auto', ...transportOptions } = options;
  switch (prefer) {
    case 'ws':
      return openWsTransport(transportOptions);
    case 'uws':
      return openUwsTransport(transportOptions);
    case 'auto':
      return loadUws() === undefined
        ? openWsTransport(transportOptions)
        : openUwsTransport(transportOptions);
    default:
      throw new RangeError(`unknown transport preference: ${String(prefer satisfies never)}`);
  }
}
