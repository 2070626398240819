import { readFileSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';

/** Another live process already writes this journal. */
export class JournalLockedError extends Error {
  constructor(readonly path: string, readonly pid: number) {
    super(`journal ${path} is in use by another gateway (pid ${pid}); stop it first or use another state dir`);
    this.name = 'JournalLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a lock names: the link target (or, for a lock left by an older build, the file's text). */
function lockOwner(lockPath: string): number {
  try {
    return Number(readlinkSync(lockPath).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    return Number(readFileSync(lockPath, 'utf8').trim());
  }
}

/**
 * Takes the single-writer lock of a journal: a `<journal>.lock` symlink whose target is the
 * owner's pid. A symlink is created atomically and needs no data block, so the lock can be
 * taken on a full disk (a gateway must start there, read-only if need be). A lock left by a
 * dead process (kill -9, crash) is taken over. Returns the release function, which never throws:
 * a lock that cannot be removed (the file system turned read-only) names a pid that is gone once
 * this process exits, and the next start takes it over like any stale lock.
 */
export function acquireWriterLock(journalPath: string): () => void {
  const lockPath = `${journalPath}.lock`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      symlinkSync(String(process.pid), lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = lockOwner(lockPath);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new JournalLockedError(journalPath, owner);
      unlinkSync(lockPath); // stale: its owner is gone
      continue;
    }
    return () => {
      try {
        unlinkSync(lockPath);
      } catch {
        // left behind: stale from the moment this process exits (see above)
      }
    };
  }
  throw new Error(`could not take the journal lock ${lockPath}`);
}
