import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

/** URL prefix of the canvas host, on its own port and on the gateway port. */
export const CANVAS_PREFIX = '/__openclaw__/canvas';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** Shown at the canvas root while the workspace has no `canvas/index.html`. */
const DEFAULT_INDEX = `<!doctype html>
<html><head><meta charset="utf-8"><title>OpenClaw Canvas</title></head>
<body><h1>OpenClaw Canvas</h1><p>Put an <code>index.html</code> into the workspace's <code>canvas/</code> folder to show it here.</p></body></html>
`;

const text = (status: number, body: string): Response => new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

async function realOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

const inside = (root: string, target: string): boolean => target === root || target.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);

/**
 * Serves `pathname` (raw, still percent-encoded, starting with CANVAS_PREFIX) from `root`.
 * Refused: encoded separators, NUL, backslashes and `..` segments (400/403), and any path whose
 * real location (symlinks resolved) is outside the real root (403). Directories serve index.html.
 */
export async function serveCanvas(root: string, pathname: string, method: string): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed');
  if (pathname === CANVAS_PREFIX) return new Response(null, { status: 302, headers: { location: `${CANVAS_PREFIX}/` } });
  if (!pathname.startsWith(`${CANVAS_PREFIX}/`)) return text(404, 'Not Found');
  const segments: string[] = [];
  for (const raw of pathname.slice(CANVAS_PREFIX.length + 1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return text(400, 'Bad Request');
    }
    if (segment.includes('/') || segment.includes('\\') || segment.includes('\0')) return text(400, 'Bad Request');
    if (segment === '..') return text(403, 'Forbidden');
    if (segment !== '' && segment !== '.') segments.push(segment);
  }
  const realRoot = await realOrNull(root);
  const isRoot = segments.length === 0;
  if (!realRoot) return isRoot ? html(DEFAULT_INDEX, method) : text(404, 'Not Found');
  let target = await realOrNull(join(realRoot, ...segments));
  if (!target) return text(404, 'Not Found');
  if (!inside(realRoot, target)) return text(403, 'Forbidden');
  if ((await stat(target)).isDirectory()) {
    const index = await realOrNull(join(target, 'index.html'));
    if (!index) return isRoot ? html(DEFAULT_INDEX, method) : text(404, 'Not Found');
    if (!inside(realRoot, index)) return text(403, 'Forbidden');
    target = index;
  }
  const info = await stat(target);
  if (!info.isFile()) return text(404, 'Not Found');
  const type = CONTENT_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
  const headers = { 'content-type': type, 'content-length': String(info.size), 'cache-control': 'no-store' };
  return new Response(method === 'HEAD' ? null : await readFile(target), { status: 200, headers });
}

const html = (body: string, method: string): Response =>
  new Response(method === 'HEAD' ? null : body, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
