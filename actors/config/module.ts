import type { ConfigGetResult } from '../../protocol/methods/config.js';
import { readConfigFile } from './file.js';
import type { GatewayModuleFactory } from '../gateway/module.js';
import { redactValue } from '../logs/redact.js';

/** Wire methods this module answers (the registry test counts them as handled). */
export const CONFIG_METHODS = ['config.get'] as const;

/** Issue lines look like `gateway.port: expected …`; the part before the colon is the path. */
const issueOf = (line: string): { path: string; message: string } => {
  const at = line.indexOf(': ');
  return at > 0 && !line.slice(0, at).includes(' ') ? { path: line.slice(0, at), message: line.slice(at + 2) } : { path: '', message: line };
};

/** `config.get`: the config file as it is on disk now, secrets redacted. */
export const configModule =
  (configPath: string): GatewayModuleFactory =>
  () => ({
    name: 'config',
    methods: {
      'config.get': (): ConfigGetResult => {
        const read = readConfigFile(configPath);
        if (read.kind === 'missing') return { path: configPath, exists: false, valid: true, config: {}, issues: [] };
        if (read.kind === 'invalid') return { path: configPath, exists: true, valid: false, hash: read.hash, config: {}, issues: [issueOf(read.issue)] };
        return { path: configPath, exists: true, valid: true, hash: read.hash, config: redactValue(read.config) as Record<string, unknown>, issues: [] };
      },
    },
  });
