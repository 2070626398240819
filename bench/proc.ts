/** Reads process facts from /proc (Linux only): process trees, resident memory, listening sockets, fd limits. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process may exit between listing and reading: absence is the answer.
    return undefined;
  }
}

function numericEntries(dir: string): number[] {
  try {
    return readdirSync(dir).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}

/** Parent pid of `pid`, or undefined if it is gone. */
function parentOf(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // comm may contain spaces and parentheses; fields after the last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isFinite(ppid) ? ppid : undefined;
}

/** Returns `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const candidate of numericEntries('/proc')) {
    const ppid = parentOf(candidate);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(candidate);
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === undefined) break;
    tree.push(current);
    queue.push(...(children.get(current) ?? []));
  }
  return tree;
}

/** VmRSS of one process in KiB, or undefined if it is gone. */
export function rssKb(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readText(`/proc/${pid}/status`) ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Sum of VmRSS over `pid` and its descendants (KiB), with the number of processes counted. */
export function treeRssKb(pid: number): { kb: number; processes: number } | undefined {
  let kb = 0;
  let processes = 0;
  for (const member of processTree(pid)) {
    const value = rssKb(member);
    if (value === undefined) continue;
    kb += value;
    processes += 1;
  }
  return processes === 0 ? undefined : { kb, processes };
}

/** Pid of the process listening on TCP `port` (IPv4 or IPv6), if visible to us; used for `--url` targets. */
export function listenerPid(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (readText(table) ?? '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = fields[9];
      if (fields[3] === '0A' && local?.endsWith(`:${hexPort}`) === true && inode !== undefined && inode !== '0') inodes.add(inode);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of numericEntries('/proc')) {
    if (pid === process.pid) continue;
    for (const fd of numericEntries(`/proc/${pid}/fd`)) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue; // fd closed while scanning
      }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode !== undefined && inodes.has(inode)) return pid;
    }
  }
  return undefined;
}

/** This process's soft limit on open files, or undefined if unknown/unlimited. */
export function openFileLimit(): number | undefined {
  const match = /^Max open files\s+(\d+)/m.exec(readText('/proc/self/limits') ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Number of file descriptors this process has open now. */
export function openFileCount(): number {
  return numericEntries('/proc/self/fd').length;
}
