// Preloaded with `node --import` in a gateway under test: appends every module URL the process
// resolves whose URL contains OPENCLAW_TRACE_MATCH to the file OPENCLAW_TRACE_FILE.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
const file = process.env.OPENCLAW_TRACE_FILE;
const match = process.env.OPENCLAW_TRACE_MATCH;
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (file && match && resolved.url.includes(match)) appendFileSync(file, resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
