/**
 * Mapping templates: `{{payload.field}}` or `{{field}}`, `{{messages[0].subject}}`,
 * `{{headers.x-event-type}}`, `{{query.kind}}`, `{{path}}`, `{{now}}`. Missing or null values render
 * empty, objects as JSON.
 */

/** What a template can read. */
export interface TemplateScope {
  readonly payload: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly path: string;
  readonly now: string;
}

/** The value at `a.b[0].c` inside `root`; own properties only (no prototype walks). */
export function valueAtPath(root: unknown, path: string): unknown {
  let current = root;
  for (const segment of path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function lookup(scope: TemplateScope, expression: string): unknown {
  if (expression === 'path') return scope.path;
  if (expression === 'now') return scope.now;
  if (expression.startsWith('headers.')) return scope.headers[expression.slice(8).toLowerCase()];
  if (expression.startsWith('query.')) return scope.query[expression.slice(6)];
  if (expression.startsWith('payload.')) return valueAtPath(scope.payload, expression.slice(8));
  return valueAtPath(scope.payload, expression);
}

/** Renders `template` against `scope`. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const value = lookup(scope, expression);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** True when the text contains a `{{…}}` placeholder (a payload-derived value). */
export const isTemplated = (text: string): boolean => /\{\{[^}]+\}\}/.test(text);
