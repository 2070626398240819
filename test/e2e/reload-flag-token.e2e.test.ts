import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';

// The test gateway runs with --token: a token edited into the config file cannot take over.
const { gateway, pool } = useSharedGateway();

describe('hot reload with a --token flag', () => {
  it('says the running secret is unchanged instead of claiming the new token applied', async () => {
    const path = join(gateway.stateDir, 'openclaw.json');
    const config = JSON.parse(readFileSync(path, 'utf8')) as { gateway: { auth: { token: string } } };
    // The banner is printed once the host (and its config watcher) is up.
    for (const until = Date.now() + 10_000; !/Generated a gateway token|Created .*openclaw\.json/.test(gateway.output()) && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Edit again if a change event got lost (seen once under heavy parallel load).
    for (let attempt = 0; attempt < 20 && !/running secret is unchanged/.test(gateway.output()); attempt += 1) {
      config.gateway.auth.token = `edited-in-the-file-${attempt}-0123456789`;
      writeFileSync(path, JSON.stringify(config, null, 2));
      const deadline = Date.now() + 1000;
      while (!/running secret is unchanged/.test(gateway.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }
    expect(gateway.output()).toMatch(/gateway\.auth changed in the config, but a flag or environment variable sets the secret: the running secret is unchanged/);
    const { hello } = await pool.connect(); // still the flag's token
    expect(hello.type).toBe('hello-ok');
  });
});
