/**
 * Picks the transport at start: uWebSockets.js when a build loads, `ws` otherwise. The daemon
 * maps OPENCLAW_TRANSPORT=uws|ws|auto onto `prefer`; nothing here reads the environment.
 */
import type { Transport, TransportOptions } from './contract.js';

// Each transport (and its library) is loaded only when it is the one opened.
const ws = () => import('./ws.js');
const uws = () => import('./uws.js');

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
      return (await ws()).openWsTransport(transportOptions);
    case 'uws':
      return (await uws()).openUwsTransport(transportOptions);
    case 'auto': {
      const { loadUws, openUwsTransport } = await uws();
      return loadUws() === undefined ? (await ws()).openWsTransport(transportOptions) : openUwsTransport(transportOptions);
    }
    default:
      throw new RangeError(`unknown transport preference: ${String(prefer satisfies never)}`);
  }
}
