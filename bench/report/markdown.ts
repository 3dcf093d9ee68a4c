export type Cell = string | number;

function cell(value: Cell): string {
  const text = typeof value === 'number' ? formatNumber(value) : value;
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Thousands separated, at most one decimal; NaN (no samples) shows as a dash. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '–';
  const digits = Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : value >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  });
}

/** A GitHub-flavoured Markdown table; numbers are right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly Cell[][]): string {
  for (const row of rows) {
    if (row.length !== header.length)
      throw new Error(`a row has ${row.length} cells, the header ${header.length}`);
  }
  const numeric = header.map(
    (_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  const lines = [
    `| ${header.map(cell).join(' | ')} |`,
    `|${numeric.map((right) => (right ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}
