const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Appends a member or index to a field path: `actor.email`, `changes[3].field`, `details["a b"]`. */
export function childPath(parent: string, member: string | number): string {
  if (typeof member === 'number' || /^\d+$/.test(member)) return `${parent}[${member}]`;
  if (!PLAIN_NAME.test(member)) return `${parent}[${JSON.stringify(member)}]`;
  return parent === '' ? member : `${parent}.${member}`;
}
