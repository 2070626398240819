import { createConnection } from 'node:net';
import type { PortListener, PortStatus } from '../../protocol/cli/gateway-status.js';
import type { CommandRunner } from './service-managers/exec.js';

/**
 * Who listens on a TCP port: `lsof` (pid, command, user, address), else `ss`, else a plain
 * connect to loopback (busy/free only). Read-only; never signals anything.
 */

/** The gateway sets `process.title = 'openclaw-gateway'`; lsof/ss show its first 15 characters. */
export const looksLikeGateway = (listener: PortListener) => /^openclaw-gatew/.test(listener.command ?? '');

/** Parses `lsof -F pcLn` output into listeners (one per pid and address). */
export function parseLsof(text: string): PortListener[] {
  const listeners: PortListener[] = [];
  let pid: number | undefined;
  let command: string | undefined;
  let user: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') {
      pid = Number(value);
      command = undefined;
      user = undefined;
    } else if (tag === 'c') command = value;
    else if (tag === 'L') user = value;
    else if (tag === 'n' && pid !== undefined) {
      listeners.push({ pid, ...(command ? { command } : {}), ...(user ? { user } : {}), address: value });
    }
  }
  return listeners;
}

/** Parses `ss -H -ltnp` lines: `LISTEN 0 511 127.0.0.1:18789 0.0.0.0:* users:(("node",pid=1,fd=20))`. */
export function parseSs(text: string): PortListener[] {
  const listeners: PortListener[] = [];
  for (const line of text.split(/\r?\n/)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 4) continue;
    const address = columns[3] as string;
    const users = [...line.matchAll(/\("([^"]*)",pid=(\d+)/g)];
    if (users.length === 0) listeners.push({ address });
    for (const match of users) listeners.push({ pid: Number(match[2]), command: match[1] ?? '', address });
  }
  return listeners;
}

function connectCheck(port: number, host: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hintsFor(port: number, listeners: readonly PortListener[]): string[] {
  const others = listeners.filter((listener) => listener.command !== undefined && !looksLikeGateway(listener));
  if (others.length === 0) return [];
  const who = [...new Set(others.map((l) => `${l.command} (pid ${l.pid ?? '?'})`))].join(', ');
  return [`Port ${port} is in use by ${who}, which does not look like an OpenClaw gateway: stop it, or move the gateway to another port (gateway.port / --port).`];
}

/** Inspects `port`: listeners and a hint when something else than a gateway holds it. */
export async function inspectPort(run: CommandRunner, port: number): Promise<PortStatus> {
  const lsof = await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-FpcLn'], { timeoutMs: 5000 });
  if (!lsof.missing && (lsof.code === 0 || (lsof.code === 1 && !lsof.stdout.trim()))) {
    const listeners = parseLsof(lsof.stdout);
    return { port, status: listeners.length ? 'busy' : 'free', listeners, hints: hintsFor(port, listeners), source: 'lsof' };
  }
  const ss = await run('ss', ['-H', '-ltnp', `sport = :${port}`], { timeoutMs: 5000 });
  if (!ss.missing && ss.code === 0) {
    const listeners = parseSs(ss.stdout);
    return { port, status: listeners.length ? 'busy' : 'free', listeners, hints: hintsFor(port, listeners), source: 'ss' };
  }
  const open = (await connectCheck(port, '127.0.0.1', 1000)) || (await connectCheck(port, '::1', 1000));
  return { port, status: open ? 'busy' : 'free', listeners: [], hints: [], source: 'connect' };
}
