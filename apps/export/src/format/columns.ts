import type { EventView } from '@auditlog/events';
export type Cell = string | number;

export interface Column {
  header: string;
  value(event: EventView): unknown;
}

/** A column's value: one property, or a property of a nested object (`actor.id`). */
function path(keys: readonly string[]): (event: EventView) => unknown {
  const [first = '', second, ...rest] = keys;
  const at = (value: unknown, key: string): unknown =>
    typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)[key]
      : undefined;
  if (second === undefined) return (event) => at(event, first);
  // Every column is one or two levels deep; the general walk stays for any deeper one.
  if (rest.length === 0) return (event) => at(at(event, first), second);
  return (event) => keys.reduce<unknown>(at, event);
}

const field = (header: string): Column => ({ header, value: path(header.split('.')) });

/**
 * The CSV/XLSX column set, in order (docs/export.md). Scalars get a column each; nested
 * structures (impersonator, ancestors, context, changes, details) are one column of
 * compact JSON, so no producer-defined key can add or shift a column.
 */
export const OWNER_COLUMNS: readonly Column[] = [
  field('id'),
  field('timestamp'),
  field('received_at'),
  field('company_id'),
  field('action'),
  field('category'),
  field('operation'),
  field('outcome'),
  field('actor.id'),
  field('actor.type'),
  field('actor.name'),
  field('actor.email'),
  field('actor.impersonator'),
  field('target.type'),
  field('target.id'),
  field('target.name'),
  field('target.ancestors'),
  field('reason'),
  field('description'),
  field('source.tool'),
  field('source.ip'),
  field('source.user_agent'),
  field('source.request_id'),
  field('source.session_id'),
  field('context'),
  field('changes'),
  field('details'),
  field('schema_version'),
  field('hash'),
];

/** Installation admins also get the server-side ingest fields. */
export const ADMIN_COLUMNS: readonly Column[] = [
  ...OWNER_COLUMNS,
  field('ingest.key_id'),
  field('ingest.client_ip'),
];

/**
 * Formula injection (OWASP "CSV injection"). Spreadsheet programs skip what they trim
 * (spaces, line breaks, control and format characters: Calc's CSV "trim spaces", Calc reading
 * XLSX text, NUL dropped on import) before they decide whether a cell is a formula, so the test
 * looks past all of that for `=`, `+`, `-`, `@` (and their full-width forms, which some input
 * methods turn into the ASCII ones). A cell that starts with tab or CR is risky on its own.
 */
const FORMULA_RISK = /^[\t\r]|^[\s\p{Cc}\p{Cf}]*[=+\-@\uff1d\uff0b\uff0d\uff20]/u;

/**
 * Neutralises a risky text cell with a leading apostrophe, which spreadsheets show as text;
 * the rest of the text is kept as it is.
 */
export function neutralise(text: string): string {
  return FORMULA_RISK.test(text) ? `'${text}` : text;
}

/** One flattened, neutralised cell: numbers stay numbers, absent values are empty. */
export function cell(value: unknown): Cell {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return neutralise(value);
  if (typeof value === 'boolean') return String(value);
  return neutralise(JSON.stringify(value));
}

export function row(event: EventView, columns: readonly Column[]): Cell[] {
  return columns.map((column) => cell(column.value(event)));
}
