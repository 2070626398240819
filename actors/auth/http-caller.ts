import type { AuthPolicy } from '../../machines/connection-rules.js';
import { secretsEqual } from '../../machines/connection-rules.js';
import { OPERATOR_SCOPES } from '../../protocol/scopes.js';
import { proxyVerdictOf } from './trusted-proxy.js';

/** Who an authenticated HTTP request acts as. */
export type HttpCaller = { readonly ok: true; readonly scopes: readonly string[]; readonly user?: string } | { readonly ok: false; readonly reason: string };

/** Shared-secret and open callers get the full operator set (the official trusted HTTP operator model). */
const FULL_OPERATOR = ['operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing', 'operator.talk.secrets'] as const;

/**
 * Gateway HTTP auth for an operator route: `none` admits; token/password need
 * `Authorization: Bearer <secret>` (narrower `x-openclaw-scopes` are ignored there); trusted-proxy
 * judges the peer and honours `x-openclaw-scopes` when sent.
 */
export function authorizeHttpCaller(request: Request, remoteAddress: string, auth: AuthPolicy): HttpCaller {
  if (auth.mode === 'none') return { ok: true, scopes: FULL_OPERATOR };
  const bearer = /^bearer\s+(.+)$/i.exec(request.headers.get('authorization')?.trim() ?? '')?.[1]?.trim();
  if (auth.mode === 'trusted-proxy') {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const verdict = proxyVerdictOf(auth, { remoteAddress, headers });
    if (verdict.ok) return { ok: true, user: verdict.user, scopes: (verdict.scopes ?? FULL_OPERATOR).filter((s) => (OPERATOR_SCOPES as readonly string[]).includes(s)) };
    if (verdict.localDirect && auth.secret && bearer && secretsEqual(bearer, auth.secret)) return { ok: true, scopes: FULL_OPERATOR };
    return { ok: false, reason: verdict.reason };
  }
  const expected = auth.secret ?? '';
  if (bearer && expected.length > 0 && secretsEqual(bearer, expected)) return { ok: true, scopes: FULL_OPERATOR };
  return { ok: false, reason: bearer ? 'secret_mismatch' : 'secret_missing' };
}
