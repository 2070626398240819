import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Rotation policy of the file log (`logging.maxFileBytes`, `logging.maxFiles`). */
export interface RotationPolicy {
  /** Rotate before a write would make the file larger than this. */
  readonly maxFileBytes: number;
  /** Archives kept (`<file>.1` newest … `<file>.<maxFiles>` oldest); 0 keeps none. */
  readonly maxFiles: number;
}

export const DEFAULT_ROTATION: RotationPolicy = { maxFileBytes: 100 * 1024 * 1024, maxFiles: 5 };

/** The archive `n` of `file` (`gateway.log.1` is the most recent). */
export const archivePath = (file: string, n: number): string => `${file}.${n}`;

/**
 * An append-only JSONL file with size-based rotation. Writes are synchronous (one `write(2)` per
 * record): a crash loses nothing already logged, and records from one process never interleave.
 */
export class RotatingLogFile {
  private fd: number | undefined;
  private size = 0;

  constructor(
    readonly path: string,
    private policy: RotationPolicy,
  ) {}

  /** Applies a new rotation policy from the next write on. */
  setPolicy(policy: RotationPolicy): void {
    this.policy = policy;
  }

  /** Appends one line (it must end with "\n"). Throws on I/O failure; the caller reports it. */
  write(line: string): void {
    const bytes = Buffer.from(line);
    const fd = this.open();
    if (this.size > 0 && this.size + bytes.length > this.policy.maxFileBytes) {
      this.rotate();
      this.write(line);
      return;
    }
    writeSync(fd, bytes);
    this.size += bytes.length;
  }

  /** Closes the file (a later write reopens it). */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, 'a', 0o600);
    this.fd = fd;
    this.size = fstatSync(fd).size;
    return fd;
  }

  private rotate(): void {
    this.close();
    const { maxFiles } = this.policy;
    if (maxFiles === 0) rmSync(this.path, { force: true });
    else {
      rmSync(archivePath(this.path, maxFiles), { force: true });
      for (let n = maxFiles - 1; n >= 1; n -= 1) {
        try {
          renameSync(archivePath(this.path, n), archivePath(this.path, n + 1));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      renameSync(this.path, archivePath(this.path, 1));
    }
    this.size = 0;
  }
}
