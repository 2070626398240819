import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * True for the failures of a file system that refuses writes (full, read-only, out of inodes)
 * as SQLite and node report them: what a degraded, read-only start can work around.
 */
export function isStorageRefusal(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  return (
    /^SQLITE_(FULL|READONLY|CANTOPEN|IOERR)/.test(code) ||
    code === 'ENOSPC' || code === 'EROFS' || code === 'EDQUOT' || code === 'EACCES' || code === 'EPERM'
  );
}

/**
 * Opens an in-memory, read-only copy of the journal file. A WAL database cannot be opened on a
 * disk that has no room for its `-shm` index (or on a read-only one after a clean stop), but its
 * main file is complete then; the copy is marked as a rollback-journal database so SQLite reads
 * it from memory. Facts a crash left in the `-wal` file are not in the copy: they come back when
 * the real file opens again. Returns undefined when there is no journal file to copy.
 */
export function openJournalSnapshot(path: string): Database.Database | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.length < 100) return undefined;
  bytes[18] = 1; // file format write version: legacy (not WAL)
  bytes[19] = 1; // file format read version: legacy (not WAL)
  return new Database(bytes, { readonly: true });
}
