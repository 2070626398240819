/** The part of a channel's config section that names its accounts. */
export interface AccountsSection {
  readonly accounts?: Readonly<Record<string, unknown>>;
  readonly defaultAccount?: string;
}

/** The section's account ids, sorted; `['default']` when it lists none. */
export function accountIds(root: AccountsSection): string[] {
  const ids = Object.keys(root.accounts ?? {}).sort();
  return ids.length === 0 ? ['default'] : ids;
}

/** `defaultAccount`, else `default` when listed, else the first sorted id. */
export function defaultAccountOf(root: AccountsSection | undefined): string {
  if (!root) return 'default';
  if (root.defaultAccount) return root.defaultAccount;
  const ids = accountIds(root);
  return ids.includes('default') ? 'default' : (ids[0] ?? 'default');
}
