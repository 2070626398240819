import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import JSON5 from 'json5';
import type { ConfigRead } from '../../machines/config-reload-rules.js';
import { isGatewayFileConfig, type GatewayFileConfig } from '../../protocol/config.js';

export type { ConfigRead };

/** SHA-256 of the file's bytes: what `config.get` reports and what tells a real change from a touch. */
export const configHash = (raw: string | Buffer): string => createHash('sha256').update(raw).digest('hex');

/** Reads, parses (JSON5) and validates the config file. Never throws for a bad file, only for I/O. */
export function readConfigFile(path: string): ConfigRead {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new Error(`cannot read config ${path}`, { cause: error });
  }
  const hash = configHash(raw);
  let parsed: unknown;
  try {
    parsed = JSON5.parse(raw);
  } catch (error) {
    return { kind: 'invalid', issue: `not valid JSON5: ${(error as Error).message.replace(/^JSON5: /, '')}`, hash };
  }
  if (!isGatewayFileConfig(parsed)) return { kind: 'invalid', issue: isGatewayFileConfig.lastError(), hash };
  return { kind: 'ok', config: parsed, hash };
}

/** Writes the config as pretty JSON, owner-only (0600), atomically (temp file + rename). */
export function writeConfigFile(path: string, config: GatewayFileConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
