import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * One process owns a WhatsApp account: `<authDir>.lock` holds the owner's pid, host and start.
 * WhatsApp lets one Web session per linked device talk at a time; a second socket on the same
 * creds would replace the first (440) and the two would fight. A lock whose owner process is
 * gone, or that nobody refreshed for 300 s (another host on a shared disk), is taken over.
 */

/** A lock file not refreshed for this long is stale. */
export const LOCK_STALE_MS = 300_000;
/** How often a held lock is refreshed. */
export const LOCK_REFRESH_MS = 60_000;

/** Another live process owns this account. */
export class WhatsAppAccountLockedError extends Error {
  constructor(readonly lockPath: string, readonly owner: { pid: number; host: string }) {
    super(`WhatsApp account is in use by another process (pid ${owner.pid} on ${owner.host}); stop it first (lock ${lockPath})`);
    this.name = 'WhatsAppAccountLockedError';
  }
}

/** A held lock. */
export interface AccountLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): { pid: number; host: string; fresh: boolean } | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
    const fresh = Date.now() - statSync(path).mtimeMs < LOCK_STALE_MS;
    return { pid: Number(owner.pid), host: String(owner.host), fresh };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { pid: 0, host: '', fresh: false }; // unreadable: treat as stale
  }
}

/** Takes the account's lock or throws `WhatsAppAccountLockedError`; the lock refreshes itself until released. */
export function acquireAccountLock(authDir: string): AccountLock {
  const path = `${authDir}.lock`;
  const host = hostname();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner === null) continue; // released in between
      const live = owner.host === host ? owner.pid > 0 && isAlive(owner.pid) : owner.fresh;
      if (live && owner.fresh) throw new WhatsAppAccountLockedError(path, owner);
      unlinkSync(path);
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host, acquiredAt: new Date().toISOString() }));
    closeSync(fd);
    const timer = setInterval(() => {
      const now = new Date();
      try {
        utimesSync(path, now, now);
      } catch {
        clearInterval(timer); // removed under us (logout of the folder): nothing left to refresh
      }
    }, LOCK_REFRESH_MS);
    timer.unref();
    let held = true;
    return {
      path,
      release() {
        if (!held) return;
        held = false;
        clearInterval(timer);
        try {
          unlinkSync(path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      },
    };
  }
  throw new Error(`could not take the WhatsApp account lock ${path}`);
}
