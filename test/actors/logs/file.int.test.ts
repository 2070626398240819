/**
 * The file log: JSONL records in the shape `openclaw logs` reads, size-based rotation, secrets
 * masked, and `logs.tail` windows over it (cursor, limit, maxBytes, reset + skippedBytes).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile, archivePath } from '../../../actors/logs/file.js';
import { readLogTail } from '../../../actors/logs/tail.js';
import { createGatewayLogger } from '../../../actors/logs/logger.js';
import { REDACTED, redactText, redactValue } from '../../../actors/logs/redact.js';
import { parseLogLine } from '../../../bin/logs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-logfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(40) })}\n`;

describe('gateway logger', () => {
  it('writes tslog-shaped JSONL records that the official parser reads, and a readable console line', () => {
    const console: string[] = [];
    const file = join(dir, 'logs', 'gateway.log');
    const logger = createGatewayLogger({ consoleLevel: 'info', fileLevel: 'info', file }, { write: (l) => console.push(l), hostname: 'h1', now: () => new Date('2026-01-02T03:04:05.000Z') });
    logger.info('listening on ws://127.0.0.1:1', { transport: 'ws' });
    logger.child?.('reload').warn('config changed');
    logger.debug('not written');
    const [first, second, third] = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(third).toBeUndefined();
    expect(JSON.parse(first as string)).toEqual({
      '0': 'listening on ws://127.0.0.1:1',
      '1': { transport: 'ws' },
      _meta: { name: '{"subsystem":"gateway"}', parentNames: ['openclaw'], date: '2026-01-02T03:04:05.000Z', logLevelId: 3, logLevelName: 'INFO', hostname: 'h1' },
      time: '2026-01-02T03:04:05.000Z',
      hostname: 'h1',
      level: 'info',
      subsystem: 'gateway',
      message: 'listening on ws://127.0.0.1:1 {"transport":"ws"}',
    });
    expect(parseLogLine(second as string)).toEqual({ time: '2026-01-02T03:04:05.000Z', level: 'warn', subsystem: 'gateway/reload', message: 'config changed', raw: second });
    expect(console).toEqual([
      '2026-01-02T03:04:05.000Z info  listening on ws://127.0.0.1:1 {"transport":"ws"}\n',
      '2026-01-02T03:04:05.000Z warn  [reload] config changed\n',
    ]);
  });

  it('never writes a secret: token/password/apiKey fields, frames with auth, known secret values', () => {
    const out: string[] = [];
    const file = join(dir, 'gateway.log');
    const logger = createGatewayLogger({ consoleLevel: 'debug', fileLevel: 'debug', file, secrets: ['s3cret-gateway-token'] }, { write: (l) => out.push(l), hostname: 'h' });
    const frame = JSON.stringify({ type: 'req', id: '1', method: 'connect', params: { auth: { token: 'client-sent-token-1', password: 'pw-123456' } } });
    logger.debug('frame in', { frame });
    logger.info('config', { gateway: { auth: { token: 'cfg-token-xyz' } }, providers: { openai: { apiKey: 'sk-live-1234' } } });
    logger.info('oops s3cret-gateway-token leaked into a message', { url: 'ws://h/?token=querytoken99' });
    logger.debug('frame in', { frame: frame.slice(0, frame.indexOf('client-sent') + 8) }); // truncated inside the value
    const written = readFileSync(file, 'utf8') + out.join('');
    for (const secret of ['client-sent-token-1', 'client-s', 'pw-123456', 'cfg-token-xyz', 'sk-live-1234', 's3cret-gateway-token', 'querytoken99']) {
      expect(written).not.toContain(secret);
    }
    expect(written).toContain(REDACTED);
  });

  it('follows a hot-reloaded level and file', () => {
    const first = join(dir, 'a.log');
    const second = join(dir, 'b.log');
    const logger = createGatewayLogger({ consoleLevel: 'error', fileLevel: 'info', file: first }, { write: () => undefined, hostname: 'h' });
    logger.debug('dropped');
    logger.configure({ fileLevel: 'debug', file: second });
    logger.debug('kept');
    expect(existsSync(first)).toBe(false);
    expect(readFileSync(second, 'utf8')).toContain('"kept"');
    expect(logger.filePath()).toBe(second);
  });
});

describe('redaction', () => {
  it('masks secret-named keys at any depth and leaves the rest', () => {
    expect(redactValue({ gateway: { port: 1, auth: { mode: 'token', token: 't' } }, list: [{ password: 'p' }] })).toEqual({
      gateway: { port: 1, auth: { mode: 'token', token: REDACTED } },
      list: [{ password: REDACTED }],
    });
    expect(redactText('Authorization: Bearer abc.def')).toBe(`Authorization: Bearer ${REDACTED}`);
  });
});

describe('rotating log file', () => {
  it('rotates before a write would pass maxFileBytes and keeps maxFiles archives', () => {
    const file = join(dir, 'gateway.log');
    const log = new RotatingLogFile(file, { maxFileBytes: 200, maxFiles: 2 });
    for (let n = 0; n < 12; n += 1) log.write(line(n));
    log.close();
    const sizes = [file, archivePath(file, 1), archivePath(file, 2)].map((path) => readFileSync(path).length);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(200);
    expect(existsSync(archivePath(file, 3))).toBe(false);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { n: number }).n).at(-1)).toBe(11);
  });
});

describe('logs.tail window', () => {
  const write = (file: string, from: number, to: number) => {
    let text = '';
    for (let n = from; n < to; n += 1) text += line(n);
    writeFileSync(file, text, { flag: 'a' });
  };
  const ns = (lines: readonly string[]) => lines.map((l) => (JSON.parse(l) as { n: number }).n);

  it('returns the tail without a cursor, then only new lines after it', async () => {
    const file = join(dir, 'gateway.log');
    write(file, 0, 10);
    const first = await readLogTail(file, { limit: 3 });
    expect(first).toMatchObject({ file, truncated: true, reset: false, cursor: first.size });
    expect(ns(first.lines)).toEqual([7, 8, 9]);
    write(file, 10, 12);
    const next = await readLogTail(file, { cursor: first.cursor });
    expect(ns(next.lines)).toEqual([10, 11]);
    expect(next).toMatchObject({ reset: false, truncated: false, cursor: next.size });
    expect(await readLogTail(file, { cursor: next.cursor })).toMatchObject({ lines: [], cursor: next.cursor });
  });

  it('drops a partial first line when the window starts mid-record, and never returns a partial last one', async () => {
    const file = join(dir, 'gateway.log');
    write(file, 0, 5);
    writeFileSync(file, '{"n":99,"half', { flag: 'a' });
    const size = readFileSync(file).length;
    const page = await readLogTail(file, { maxBytes: line(0).length * 2 + '{"n":99,"half'.length + 5 });
    expect(ns(page.lines)).toEqual([3, 4]);
    expect(page.cursor).toBe(size - '{"n":99,"half'.length);
  });

  it('resets with skippedBytes when the file rotated under the cursor', async () => {
    const file = join(dir, 'gateway.log');
    const log = new RotatingLogFile(file, { maxFileBytes: line(0).length * 10, maxFiles: 1 });
    for (let n = 0; n < 6; n += 1) log.write(line(n));
    const seen = await readLogTail(file, {});
    for (let n = 6; n < 13; n += 1) log.write(line(n)); // 10 fit in the first file: rotation at 10
    log.close();
    const page = await readLogTail(file, { cursor: seen.cursor });
    expect(page.reset).toBe(true);
    expect(page.skippedBytes).toBe(line(0).length * 4); // lines 6..9 went to the archive unseen
    expect(ns(page.lines)).toEqual([10, 11, 12]);
  });

  it('re-anchors when more than maxBytes were written since the cursor', async () => {
    const file = join(dir, 'gateway.log');
    write(file, 0, 2);
    const seen = await readLogTail(file, {});
    write(file, 2, 20);
    const page = await readLogTail(file, { cursor: seen.cursor, maxBytes: line(17).length * 3 });
    let skipped = 0;
    for (let n = 2; n < 17; n += 1) skipped += line(n).length;
    expect(page).toMatchObject({ reset: true, truncated: false, skippedBytes: skipped });
    expect(ns(page.lines)).toEqual([17, 18, 19]);
  });

  it('answers an empty window for a log that does not exist yet', async () => {
    expect(await readLogTail(join(dir, 'none.log'), {})).toEqual({ file: join(dir, 'none.log'), cursor: 0, size: 0, lines: [], truncated: false, reset: false });
  });
});
