import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ajv, schemaKey, validatedSchemas } from '../../protocol/ajv.js';
import '../../protocol/registry.js';
import '../../protocol/frames.js';
import '../../protocol/connect.js';
import '../../protocol/config.js';

// `npm run build` writes AJV standalone validators into dist/protocol/precompiled.js so the gateway
// starts without compiling schemas. They must be the validators of today's schemas.
const built = new URL('../../dist/protocol/precompiled.js', import.meta.url);

describe.runIf(existsSync(built))('build-time validators', () => {
  it('cover every schema the sources validate, and agree with a runtime compile', async () => {
    const { PRECOMPILED } = (await import(built.href)) as { PRECOMPILED: Record<string, (value: unknown) => boolean> };
    const samples: unknown[] = [
      {},
      { type: 'req', id: '1', method: 'health' },
      { type: 'req', id: '', method: 'health' },
      { minProtocol: 4, maxProtocol: 4, client: { id: 'cli', version: '1', platform: 'linux', mode: 'cli' } },
      { minProtocol: 4, maxProtocol: 4, client: { id: 'nope', version: '1', platform: 'linux', mode: 'cli' } },
      { text: 'hello', bogus: 1 },
      { gateway: { port: 'abc' } },
    ];
    for (const schema of validatedSchemas) {
      const key = schemaKey(schema);
      const precompiled = PRECOMPILED[key];
      expect(precompiled, `no build-time validator for ${JSON.stringify(schema).slice(0, 80)}`).toBeTypeOf('function');
      const runtime = ajv.compile(schema);
      for (const sample of samples) expect(precompiled?.(sample), key).toBe(runtime(sample));
    }
  });
});
