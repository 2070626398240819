import { defineCommand } from 'citty';
import { readLogTail } from '../actors/logs/tail.js';
import { callGateway, RpcError } from '../actors/client/rpc.js';
import type { LogsTailResult } from '../protocol/methods/logs.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { readConfig, resolveLogFile, resolvePaths } from './config.js';
import { CliFailure, fail, resolveTarget, targetArgs } from './target.js';

const LOCAL_FALLBACK_NOTICE = 'Local Gateway RPC unavailable; reading configured file log instead.';

/** A file-log line as `openclaw logs` shows it (the official CLI's reading of tslog records). */
export interface ParsedLogLine {
  readonly time?: string;
  readonly level?: string;
  readonly subsystem?: string;
  readonly message: string;
  readonly raw: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Parses one JSONL record: `time`, `level`/`_meta.logLevelName`, `subsystem`, `message`; null if not JSON. */
export function parseLogLine(raw: string): ParsedLogLine | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  const meta = (record._meta !== null && typeof record._meta === 'object' ? record._meta : {}) as Record<string, unknown>;
  let subsystem = str(record.subsystem);
  if (!subsystem && str(meta.name)?.startsWith('{')) {
    try {
      subsystem = str((JSON.parse(meta.name as string) as Record<string, unknown>).subsystem);
    } catch {
      subsystem = undefined; // a plain logger name, not a subsystem binding
    }
  }
  const numbered = Object.keys(record)
    .filter((key) => /^\d+$/.test(key))
    .map((key) => (typeof record[key] === 'string' ? (record[key] as string) : JSON.stringify(record[key])));
  return {
    time: str(record.time) ?? str(meta.date),
    level: (str(meta.logLevelName) ?? str(record.level))?.toLowerCase(),
    subsystem,
    message: str(record.message) ?? numbered.join(' '),
    raw,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const positive = (value: string | undefined, fallback: number, flag: string): number => {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new CliFailure('invalid_arguments', `${flag} must be a positive integer.`);
  return parsed;
};
const MAX_FOLLOW_RETRIES = 8;

/** `openclaw logs`: tails the gateway's file log over RPC (`logs.tail`), once or with `--follow`. */
export const logsCommand = defineCommand({
  meta: { name: 'logs', description: 'Tail the gateway file log via RPC' },
  args: {
    limit: { type: 'string', description: 'Max lines per poll', default: '200' },
    'max-bytes': { type: 'string', description: 'Max bytes per poll', default: '250000' },
    follow: { type: 'boolean', description: 'Keep polling for new lines' },
    interval: { type: 'string', description: 'Polling interval in ms', default: '1000' },
    plain: { type: 'boolean', description: 'Plain text output' },
    utc: { type: 'boolean', description: 'Show times in UTC (default: as logged)' },
    ...targetArgs,
    timeout: { type: 'string', description: 'Timeout per poll in ms', default: '30000' },
  },
  run: async ({ args }) => {
    const json = args.json === true;
    try {
      const target = resolveTarget(args, process.env);
      const limit = positive(args.limit, 200, '--limit');
      const maxBytes = positive(args['max-bytes'], 250_000, '--max-bytes');
      const interval = positive(args.interval, 1000, '--interval');
      const emit = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
      let cursor: number | undefined;
      let announcedFile: string | undefined;
      let failures = 0;
      for (;;) {
        let page: LogsTailResult;
        try {
          page = (await callGateway({
            ...target,
            method: 'logs.tail',
            params: { ...(cursor !== undefined ? { cursor } : {}), limit, maxBytes },
            scopes: ['operator.read'],
            clientVersion: SERVER_VERSION,
          })) as LogsTailResult;
          failures = 0;
        } catch (error) {
          const transient = error instanceof RpcError && error.kind !== 'rejected';
          if (!args.follow && !args.url && error instanceof RpcError && error.kind === 'unreachable') {
            // As the official CLI does: no local gateway answers, so read the file it would serve.
            const paths = resolvePaths(process.env);
            const file = resolveLogFile(paths, readConfig(paths.configPath) ?? {});
            if (json) emit({ type: 'notice', message: LOCAL_FALLBACK_NOTICE });
            else process.stderr.write(`${LOCAL_FALLBACK_NOTICE}\n`);
            const local = await readLogTail(file, { limit, maxBytes });
            if (json) emit({ type: 'meta', file: local.file, sourceKind: 'file', cursor: local.cursor, size: local.size, localFallback: true });
            printLines(local.lines, json, args.utc === true, emit);
            return;
          }
          if (!args.follow || !transient || ++failures > MAX_FOLLOW_RETRIES) throw error;
          if (json) process.stderr.write(`${JSON.stringify({ type: 'error', message: (error as Error).message, retry: failures })}\n`);
          else process.stderr.write(`openclaw logs: ${(error as Error).message}; retrying (${failures}/${MAX_FOLLOW_RETRIES})\n`);
          await sleep(Math.min(30_000, interval * 2 ** (failures - 1)));
          continue;
        }
        if (page.file !== announcedFile) {
          announcedFile = page.file;
          if (json) emit({ type: 'meta', file: page.file, sourceKind: 'file', cursor: page.cursor, size: page.size });
        }
        if (cursor !== undefined && page.reset) {
          const message = page.skippedBytes ? `Log cursor re-anchored (skipped ${page.skippedBytes} bytes).` : 'Log cursor reset (file rotated).';
          if (json) emit({ type: 'notice', message });
          else process.stderr.write(`${message}\n`);
        }
        printLines(page.lines, json, args.utc === true, emit);
        if (!json && cursor === undefined && page.truncated && !args.follow) process.stderr.write('Log tail truncated (increase --max-bytes or --limit).\n');
        cursor = page.cursor;
        if (!args.follow) return;
        await sleep(interval);
      }
    } catch (error) {
      fail(error, json, 'openclaw logs');
    }
  },
});

function printLines(lines: readonly string[], json: boolean, utc: boolean, emit: (value: unknown) => void): void {
  for (const raw of lines) {
    const line = parseLogLine(raw);
    if (json) emit(line ? { type: 'log', ...line } : { type: 'log', message: raw, raw });
    else process.stdout.write(`${line ? formatLine(line, utc) : raw}\n`);
  }
}

function formatLine(line: ParsedLogLine, utc: boolean): string {
  const time = line.time && utc ? new Date(line.time).toISOString() : (line.time ?? '');
  return [time, line.level ?? '', line.subsystem ?? '', line.message].filter(Boolean).join(' ');
}
