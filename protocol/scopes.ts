/** Operator scopes and their implication rules (PROTOCOL.md §4). */

export const OPERATOR_SCOPES = [
  'operator.read', 'operator.write', 'operator.admin', 'operator.approvals', 'operator.questions',
  'operator.pairing', 'operator.talk', 'operator.talk.secrets',
] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];

/** Roles a socket may take on the general endpoint. */
export const ROLES = ['operator', 'node'] as const;
export type Role = (typeof ROLES)[number];

/**
 * True when `granted` satisfies `required`: admin satisfies everything, write satisfies read and
 * talk, anything else needs an exact match.
 */
export function hasScope(granted: readonly string[], required: string): boolean {
  if (granted.includes(required) || granted.includes('operator.admin')) return true;
  if ((required === 'operator.read' || required === 'operator.talk') && granted.includes('operator.write')) return true;
  return false;
}
