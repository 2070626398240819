import { open, stat } from 'node:fs/promises';
import type { LogsTailResult } from '../../protocol/methods/logs.js';
import { archivePath } from './file.js';

export const DEFAULT_TAIL_LIMIT = 500;
export const DEFAULT_TAIL_MAX_BYTES = 250_000;

const sizeOf = async (path: string): Promise<number | undefined> => {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`log path is not a regular file: ${path}`);
    return info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * Reads a window of the JSONL file log (PROTOCOL.md §5.12). Without a cursor: the last `maxBytes`
 * (at most `limit` lines). With one: what follows it. A cursor past the end means the file rotated:
 * `reset:true`, and `skippedBytes` counts what the caller never saw of the archived file plus what
 * this answer leaves out. A gap wider than `maxBytes` is re-anchored the same way. The returned
 * cursor stops after the last complete line, so a poll never splits a record.
 */
export async function readLogTail(file: string, params: { cursor?: number; limit?: number; maxBytes?: number }): Promise<LogsTailResult> {
  const limit = params.limit ?? DEFAULT_TAIL_LIMIT;
  const maxBytes = params.maxBytes ?? DEFAULT_TAIL_MAX_BYTES;
  const size = (await sizeOf(file)) ?? 0;
  const { cursor } = params;
  let start: number;
  let reset = false;
  let skipped = 0;
  if (cursor === undefined) start = Math.max(0, size - maxBytes);
  else if (cursor > size) {
    reset = true;
    start = Math.max(0, size - maxBytes);
    const archived = await sizeOf(archivePath(file, 1));
    skipped = (archived !== undefined && archived > cursor ? archived - cursor : 0) + start;
  } else if (size - cursor > maxBytes) {
    reset = true;
    start = size - maxBytes;
    skipped = start - cursor;
  } else start = cursor;
  let truncated = cursor === undefined && start > 0;
  const result = (next: number, lines: string[]): LogsTailResult => ({
    file,
    cursor: next,
    size,
    lines,
    truncated,
    reset,
    ...(skipped > 0 ? { skippedBytes: skipped } : {}),
  });
  if (size <= start) return result(size, []);

  const handle = await open(file, 'r');
  try {
    // Reading from mid-line (a tail or a re-anchor) drops the partial first line.
    let prefixIsNewline = true;
    if (start > 0) {
      const one = Buffer.alloc(1);
      await handle.read(one, 0, 1, start - 1);
      prefixIsNewline = one[0] === 0x0a;
    }
    const buffer = Buffer.alloc(size - start);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const window = buffer.subarray(0, read);
    const lastNewline = window.lastIndexOf(0x0a);
    if (lastNewline < 0) return result(start, []);
    let from = 0;
    if (!prefixIsNewline) {
      from = window.indexOf(0x0a) + 1;
      skipped += reset ? from : 0;
    }
    let lines = from > lastNewline ? [] : window.toString('utf8', from, lastNewline).split('\n');
    if (lines.length > limit) {
      truncated = true;
      lines = lines.slice(lines.length - limit);
    }
    return result(start + lastNewline + 1, lines.filter((line) => line.length > 0));
  } finally {
    await handle.close();
  }
}
