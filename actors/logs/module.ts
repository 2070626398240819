import type { LogsTailParams, LogsTailResult } from '../../protocol/methods/logs.js';
import { readLogTail } from './tail.js';
import type { GatewayModuleFactory } from '../gateway/module.js';

/** Wire methods this module answers (the registry test counts them as handled). */
export const LOGS_METHODS = ['logs.tail'] as const;

/**
 * `logs.tail` over the gateway's JSONL file log. `file()` is asked on every call, so a hot-reloaded
 * `logging.file` is followed; with no file log the answer is an empty window of the path it would use.
 */
export const logsModule =
  (file: () => string): GatewayModuleFactory =>
  () => ({
    name: 'logs',
    methods: {
      'logs.tail': (_context, raw): Promise<LogsTailResult> => readLogTail(file(), raw as LogsTailParams),
    },
  });
