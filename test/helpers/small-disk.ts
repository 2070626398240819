import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * A small tmpfs mounted for one test file (needs root): disk-full and read-only journals are
 * real kernel errors (ENOSPC, EROFS), not mocks. `unmount()` goes in afterAll.
 */
export class SmallDisk {
  readonly dir: string;
  private fillers = 0;
  private readonly made = new Set<string>();

  constructor(sizeMiB: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'openclaw-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', this.dir]);
  }

  /** Writes a file of `bytes` (4 KiB pages) and returns its path; it fails if the disk is full. */
  reserve(bytes: number): string {
    const path = join(this.dir, `reserve-${(this.fillers += 1)}`);
    this.made.add(path);
    const fd = openSync(path, 'w');
    try {
      const page = Buffer.alloc(4096, 7);
      for (let written = 0; written < bytes; written += page.length) writeSync(fd, page);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  /** Fills every free byte with a filler file and returns its path (delete it to give the space back). */
  fill(): string {
    const path = join(this.dir, `filler-${(this.fillers += 1)}`);
    this.made.add(path);
    const fd = openSync(path, 'w');
    const page = Buffer.alloc(4096, 7);
    try {
      for (;;) writeSync(fd, page);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
    return path;
  }

  free(path: string): void {
    unlinkSync(path);
    this.made.delete(path);
  }

  /** Gives every byte back: read-write again, fillers and `paths` removed (afterEach). */
  reset(paths: readonly string[] = []): void {
    this.setReadOnly(false);
    for (const path of [...this.made, ...paths]) rmSync(path, { recursive: true, force: true });
    this.made.clear();
  }

  /** Remounts the whole disk read-only (`true`) or read-write (`false`). */
  setReadOnly(readOnly: boolean): void {
    execFileSync('mount', ['-o', `remount,${readOnly ? 'ro' : 'rw'}`, this.dir]);
  }

  unmount(): void {
    try {
      execFileSync('umount', ['-l', this.dir]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Reads a journal file from outside the gateway (read-only, WAL-aware). */
export function readJournal<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * A small ext4 file system on a loop device, mounted with `errors=remount-ro` (needs root): what a
 * real disk does when the kernel turns it read-only under a running process. `chmod` does not stop
 * writes (root, and an open descriptor keeps its access), `mount -o remount,ro` is refused while a
 * file is open for writing (EBUSY), `chattr +i` does not stop writes through an open descriptor:
 * an ext4 error does, at once, for every writer (EROFS). It lasts until the file system is
 * unmounted, so recovery means stopping the writer and mounting again (`remount()`).
 */
export class ReadOnlyOnErrorDisk {
  readonly dir: string;
  private readonly image: string;

  constructor(sizeMiB: number) {
    const parent = mkdtempSync(join(tmpdir(), 'openclaw-ext4-'));
    this.image = join(parent, 'disk.img');
    this.dir = join(parent, 'mnt');
    execFileSync('truncate', ['-s', `${sizeMiB}M`, this.image]);
    execFileSync('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', this.image]);
    execFileSync('mkdir', ['-p', this.dir]);
    this.mount();
  }

  /** Makes the kernel see a file-system error: from now on every write fails with EROFS. */
  failReadOnly(): void {
    const device = execFileSync('findmnt', ['-n', '-o', 'SOURCE', this.dir], { encoding: 'utf8' }).trim();
    writeFileSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`, 'test: turned read-only');
  }

  /** Unmounts (every writer must be gone) and mounts again, writable. */
  remount(): void {
    execFileSync('umount', [this.dir]);
    this.mount();
  }

  unmount(): void {
    try {
      execFileSync('umount', ['-l', this.dir]);
    } finally {
      rmSync(dirname(this.dir), { recursive: true, force: true });
    }
  }

  private mount(): void {
    execFileSync('mount', ['-o', 'loop,errors=remount-ro', this.image, this.dir]);
  }
}
