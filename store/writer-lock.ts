import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

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

/**
 * Takes the single-writer lock of a journal: a `<journal>.lock` file holding the owner's pid.
 * A lock left by a dead process (kill -9, crash) is taken over. Returns the release function.
 */
export function acquireWriterLock(journalPath: string): () => void {
  const lockPath = `${journalPath}.lock`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new JournalLockedError(journalPath, owner);
      unlinkSync(lockPath); // stale: its owner is gone
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => unlinkSync(lockPath);
  }
  throw new Error(`could not take the journal lock ${lockPath}`);
}
