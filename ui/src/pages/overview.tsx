import { useState } from 'preact/hooks';
import { errorText, useEvents, useGateway, useOnConnected } from '../app-context';

/*
 * Overview: health and status, the presence roster kept live from `presence` events, and the
 * channels and nodes when the gateway offers them (`channels.status`, `node.list`).
 */

interface PresenceRow {
  key?: string; host?: string; mode?: string; clientId?: string; platform?: string; version?: string;
  reason?: string; ts?: number; roles?: string[]; instanceId?: string; ip?: string;
}

const ago = (ts: number | undefined) => (ts ? `${Math.max(0, Math.round((Date.now() - ts) / 1000))} s ago` : '');

export function OverviewPage() {
  const client = useGateway();
  const [health, setHealth] = useState<any>(client.hello?.snapshot.health ?? null);
  const [status, setStatus] = useState<any>(null);
  const [presence, setPresence] = useState<PresenceRow[]>((client.hello?.snapshot.presence as PresenceRow[]) ?? []);
  const [channels, setChannels] = useState<any>(null);
  const [nodes, setNodes] = useState<any[] | null>(null);
  const [error, setError] = useState('');

  useOnConnected(() => {
    const fail = (e: unknown) => setError(errorText(e));
    client.request('health').then(setHealth, fail);
    client.request('status').then(setStatus, fail);
    client.request('system-presence').then((rows: PresenceRow[]) => setPresence(rows), fail);
    if (client.has('channels.status')) client.request('channels.status', {}).then(setChannels, () => undefined);
    if (client.has('node.list')) client.request('node.list', {}).then((r: { nodes: any[] }) => setNodes(r.nodes), () => undefined);
  });

  useEvents(({ event, payload }) => {
    if (event === 'presence') setPresence(payload.presence as PresenceRow[]);
    else if (event === 'health') setHealth(payload);
  });

  const channelRows: Array<[string, any]> = channels?.channels ? Object.entries(channels.channels) : [];
  return (
    <div class="page overview">
      <h2>Overview</h2>
      {error ? <div class="banner error" role="alert">{error}</div> : null}
      <div class="cards">
        <div class="card" data-testid="health-card">
          <h3>Health</h3>
          <p class={health?.ok === false ? 'bad' : 'good'}>{health ? (health.ok === false ? 'degraded' : 'ok') : '…'}</p>
          {health?.eventLoop ? <p class="muted">event loop delay p99 {Math.round(health.eventLoop.delayP99Ms ?? health.eventLoop.p99Ms ?? 0)} ms</p> : null}
        </div>
        <div class="card" data-testid="status-card">
          <h3>Gateway</h3>
          {status ? (
            <dl>
              <dt>Version</dt><dd>{status.runtimeVersion}</dd>
              <dt>Uptime</dt><dd>{Math.round(status.uptimeMs / 1000)} s</dd>
              <dt>Transport</dt><dd>{status.transport}</dd>
              <dt>Connections</dt><dd>{status.connections}</dd>
              <dt>Sessions</dt><dd>{status.sessions?.count ?? 0}</dd>
              <dt>Model</dt><dd>{status.sessions?.defaults?.model ?? '—'}</dd>
              <dt>Journal</dt><dd>seq {status.journal?.lastSeq}</dd>
            </dl>
          ) : '…'}
        </div>
      </div>
      <h3>Presence ({presence.length})</h3>
      <table data-testid="presence">
        <thead><tr><th>Host</th><th>Mode</th><th>Last</th><th>Platform</th><th>Version</th><th>Seen</th></tr></thead>
        <tbody>
          {presence.map((p) => (
            <tr data-testid="presence-row"><td>{p.host ?? p.ip ?? '—'}</td><td>{p.mode ?? '—'}</td><td>{p.clientId ?? p.reason ?? '—'}</td><td>{p.platform ?? '—'}</td><td>{p.version ?? '—'}</td><td>{ago(p.ts)}</td></tr>
          ))}
        </tbody>
      </table>
      {channelRows.length > 0 ? (
        <>
          <h3>Channels</h3>
          <table data-testid="channels">
            <thead><tr><th>Channel</th><th>State</th></tr></thead>
            <tbody>{channelRows.map(([name, c]) => <tr><td>{name}</td><td>{c?.connected ? 'connected' : c?.configured ? 'configured' : (c?.state ?? 'off')}</td></tr>)}</tbody>
          </table>
        </>
      ) : null}
      {nodes && nodes.length > 0 ? (
        <>
          <h3>Nodes</h3>
          <table data-testid="nodes">
            <thead><tr><th>Node</th><th>Platform</th><th>Connected</th></tr></thead>
            <tbody>{nodes.map((n) => <tr><td>{n.displayName ?? n.nodeId}</td><td>{n.platform ?? '—'}</td><td>{n.connected ? 'yes' : 'no'}</td></tr>)}</tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
