/** Model references resolve to a configured provider (issue 12, "What a new user hits" 7). */
import { describe, expect, it } from 'vitest';
import { ModelProviders } from '../../../actors/agents/providers/registry.js';

describe('ModelProviders.resolve', () => {
  const providers = new ModelProviders([{ name: 'slow', kind: 'offline', model: 'echo-1' }]);

  it('resolves "<provider>/<model>" of a configured provider, and a bare model on the fallback provider', () => {
    expect(providers.resolve('slow/echo-2')).toMatchObject({ provider: { name: 'slow' }, model: 'echo-2' });
    expect(providers.resolve('echo-3', 'slow/echo-1')).toMatchObject({ provider: { name: 'slow' }, model: 'echo-3' });
  });

  it('is null for "<provider>/<model>" whose provider is not configured, instead of the fallback provider', () => {
    expect(providers.resolve('nope/m2', 'slow/echo-1')).toBeNull();
    expect(providers.resolve('nope/m2')).toBeNull();
  });
});
