import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runtimeAjv, schemaKey, validatedSchemas } from '../../protocol/ajv.js';
import '../../protocol/registry.js';
import '../../protocol/frames.js';
import '../../protocol/connect.js';
import '../../protocol/config.js';

// `npm run build` writes one AJV standalone validator per schema into dist/protocol/validators/ so
// the gateway starts without compiling schemas. They must be the validators of today's schemas.
const built = new URL('../../dist/protocol/validators/', import.meta.url);
const load = createRequire(import.meta.url);

describe.runIf(existsSync(built))('build-time validators', () => {
  it('cover every schema the sources validate, and agree with a runtime compile', () => {
    const samples: unknown[] = [
      {},
      { type: 'req', id: '1', method: 'health' },
      { type: 'req', id: '', method: 'health' },
      { minProtocol: 4, maxProtocol: 4, client: { id: 'cli', version: '1', platform: 'linux', mode: 'cli' } },
      { minProtocol: 4, maxProtocol: 4, client: { id: 'nope', version: '1', platform: 'linux', mode: 'cli' } },
      { text: 'hello', bogus: 1 },
      { gateway: { port: 'abc' } },
      { mode: 'open', telegram: { dmPolicy: 'open', accounts: { a: { botToken: 'x' } } } },
    ];
    expect(validatedSchemas.length).toBeGreaterThan(20);
    for (const schema of validatedSchemas) {
      const key = schemaKey(schema);
      const file = new URL(`${key}.cjs`, built);
      expect(existsSync(file), `no build-time validator for ${JSON.stringify(schema).slice(0, 80)}`).toBe(true);
      const precompiled = (load(file.pathname) as Record<string, (value: unknown) => boolean>)[key];
      expect(precompiled, key).toBeTypeOf('function');
      const runtime = runtimeAjv().compile(schema);
      for (const sample of samples) expect(precompiled?.(sample), key).toBe(runtime(sample));
    }
  });
});
