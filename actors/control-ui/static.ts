import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Control UI's HTTP side (CONTROL-UI.md §1): index.html for every app route when `Accept`
 * allows HTML, fingerprinted assets with a one-year immutable cache, the security headers on
 * every answer, and a CSP that hashes index.html's inline scripts.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.map': 'application/json', '.webmanifest': 'application/manifest+json',
};

/** Where `npm run build` puts the UI, whether this code runs from the bundle or from tsc output. */
export function defaultControlUiRoot(): string | undefined {
  for (const relative of ['./control-ui/', '../control-ui/', '../../control-ui/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

const BASE_CSP = [
  "default-src 'self'", "base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'", "frame-src 'self'",
  "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:", "media-src 'self' data: blob:",
  "font-src 'self'", "worker-src 'self'",
];

/** The CSP of one answer: inline-script hashes only for index.html. */
export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
  const scripts = ["script-src 'self'", ...scriptHashes.map((hash) => `'sha256-${hash}'`)].join(' ');
  return [...BASE_CSP, scripts, "connect-src 'self' ws: wss:"].join('; ');
}

/** SHA-256 (base64) of every inline `<script>` body of an HTML document. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(createHash('sha256').update(match[1] ?? '', 'utf8').digest('base64'));
  }
  return hashes;
}

/** The headers every Control UI answer carries. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    'content-security-policy': csp,
  };
}

/**
 * True when `Accept` names HTML (`text/html` or `application/xhtml+xml`), as a browser navigating
 * does; a bare `*\/*` (curl, fetch, probes) gets the plain 404 of an unknown path instead.
 */
export function acceptsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    if (params.some((p) => p.trim() === 'q=0')) return false;
    return type === 'text/html' || type === 'application/xhtml+xml';
  });
}

/** One answer: status, headers and body (null for HEAD or errors without one). */
export interface StaticAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string | null;
}

/** The built UI of one root, with index.html read once and its CSP computed once. */
export class ControlUiFiles {
  private index: { html: string; csp: string } | undefined;

  /** `cacheAssets` false for a custom root (`gateway.controlUi.root`): everything `no-cache`. */
  constructor(
    readonly root: string,
    private readonly basePath: string,
    private readonly cacheAssets: boolean,
  ) {}

  private indexDocument(): { html: string; csp: string } {
    if (!this.index) {
      const raw = readFileSync(join(this.root, 'index.html'), 'utf8');
      const html = raw
        .replace(/<html([^>]*)>/i, `<html$1 data-openclaw-control-ui-base-path="${this.basePath}">`)
        .replace(/(href|src)="\/(?!\/)/g, `$1="${this.basePath}/`);
      this.index = { html, csp: contentSecurityPolicy(inlineScriptHashes(html)) };
    }
    return this.index;
  }

  /** index.html with its headers. */
  indexAnswer(head: boolean): StaticAnswer {
    const { html, csp } = this.indexDocument();
    return {
      status: 200,
      headers: { ...securityHeaders(csp), 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' },
      body: head ? null : html,
    };
  }

  /** A file under the root (path relative to the base path), or null when there is none. */
  async file(relative: string, head: boolean, query: string): Promise<StaticAnswer | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(relative);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.split('/').includes('..')) return null;
    const path = normalize(join(this.root, decoded));
    if (!path.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)) return null;
    if (!existsSync(path) || !statSync(path).isFile() || path === join(this.root, 'index.html')) return null;
    const fingerprinted = decoded.startsWith('assets/') || /[?&]v=/.test(query);
    const headers = {
      ...securityHeaders(contentSecurityPolicy([])),
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': this.cacheAssets && fingerprinted ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    return { status: 200, headers, body: head ? null : new Uint8Array(await readFile(path)) };
  }
}
