#!/usr/bin/env node
// `npm run bundle`: bundles the compiled CLI (dist/bin/main.js) into dist/openclaw.mjs plus chunks
// in dist/chunks/. Every `import()` in the sources becomes a chunk of its own, so code a command or
// an unconfigured subsystem does not use is never read, parsed or kept in memory. Packages that
// are native, heavy or loaded only by one subsystem stay external (resolved from node_modules).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const EXTERNAL = [
  'better-sqlite3', 'uws-trufflesuite', 'uws-btc-vision', 'bufferutil', 'utf-8-validate',
  'openai', '@anthropic-ai/sdk', '@whiskeysockets/baileys', 'qrcode', 'prom-client', 'grammy',
];

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
const result = await build({
  metafile: process.env.BUNDLE_METAFILE !== undefined,
  entryPoints: { openclaw: join(dist, 'bin', 'main.js') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  external: EXTERNAL,
  // Bundled CommonJS dependencies call `require()`: give every output file one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
if (process.env.BUNDLE_METAFILE) (await import('node:fs')).writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));
