import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { GatewayClient, GatewayEvent } from './gateway';

export const GatewayContext = createContext<GatewayClient | null>(null);

export function useGateway(): GatewayClient {
  const client = useContext(GatewayContext);
  if (!client) throw new Error('no gateway client');
  return client;
}

/** Re-renders on every phase change; returns the phase. */
export function usePhase(): GatewayClient['phase'] {
  const client = useGateway();
  const [phase, setPhase] = useState(client.phase);
  useEffect(() => client.onState(() => setPhase(client.phase)), [client]);
  return phase;
}

/** Calls `listener` for every gateway event while mounted. */
export function useEvents(listener: (event: GatewayEvent) => void, deps: unknown[] = []): void {
  const client = useGateway();
  useEffect(() => client.onEvent(listener), [client, ...deps]);
}

/** Runs `load` whenever the client is (re)connected; the effect's cleanup is the returned function. */
export function useOnConnected(load: () => void | (() => void), deps: unknown[] = []): void {
  const client = useGateway();
  const phase = usePhase();
  useEffect(() => (phase === 'connected' ? load() : undefined), [client, phase, ...deps]);
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
