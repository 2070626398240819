import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProtocolSchema } from '../../protocol/schema.js';
import { METHODS } from '../../protocol/registry.js';
import { METHOD_HANDLERS } from '../../actors/gateway/methods/index.js';
import { LOGS_METHODS } from '../../actors/logs/module.js';
import { CONFIG_METHODS } from '../../actors/config/module.js';
import { RUN_METHOD_NAMES } from '../../actors/agents/run-methods.js';
import { OFFICIAL_UI_METHODS } from '../../actors/control-ui/official-methods.js';
import { INSPECTOR_METHODS } from '../../actors/gateway/inspector.js';
import { NODES_METHODS } from '../../actors/nodes/module.js';
import { CHANNEL_METHODS, WEB_LOGIN_METHODS } from '../../actors/channels/method-names.js';
import { SECRETS_METHODS } from '../../actors/secrets/module.js';
import { ERRORS, WIRE_CODES } from '../../protocol/errors.js';

describe('protocol.schema.json', () => {
  it('is up to date with the TypeBox sources (run `npm run protocol:gen` when this fails)', () => {
    const committed = readFileSync(new URL('../../protocol/protocol.schema.json', import.meta.url), 'utf8');
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(buildProtocolSchema())));
  });

  it('describes every registered method with its scope', () => {
    const schema = buildProtocolSchema() as { methods: Record<string, { scope: string }> };
    for (const spec of METHODS.values()) expect(schema.methods[spec.name]?.scope).toBe(spec.scope);
  });
});

describe('method registry', () => {
  it('has a handler for every method and no handler without a method', () => {
    // Gateway modules (actors/*/module.ts) answer their own methods.
    const handled = [...Object.keys(METHOD_HANDLERS), ...LOGS_METHODS, ...CONFIG_METHODS, ...RUN_METHOD_NAMES, ...INSPECTOR_METHODS, ...NODES_METHODS, ...CHANNEL_METHODS, ...WEB_LOGIN_METHODS, ...SECRETS_METHODS, ...OFFICIAL_UI_METHODS];
    expect(handled.sort()).toEqual([...METHODS.keys()].sort());
  });
});

describe('error catalogue', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  it('documents every wire code and details code in the README', () => {
    for (const code of WIRE_CODES) expect(readme, code).toContain(code);
    for (const key of Object.keys(ERRORS)) expect(readme, key).toContain(key);
  });
});
