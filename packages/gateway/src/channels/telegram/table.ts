import { displayWidth } from './width.js';

/** How a table column lines up its cells, as a GitHub table's delimiter row says. */
export type ColumnAlign = 'left' | 'center' | 'right' | null;

function pad(cell: string, width: number, align: ColumnAlign): string {
  const room = width - displayWidth(cell);
  if (align === 'right') return ' '.repeat(room) + cell;
  if (align === 'center') {
    const before = Math.floor(room / 2);
    return ' '.repeat(before) + cell + ' '.repeat(room - before);
  }
  return cell + ' '.repeat(room);
}

/**
 * Lays a table out as monospace text: each column padded to its widest cell,
 * cells joined by ` │ `, and a `─` rule with `─┼─` joints under the header.
 * Trailing spaces are dropped since nothing follows them on the line.
 */
export function layoutTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ColumnAlign[],
): string {
  const columns = Math.max(header.length, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(1, ...[header, ...rows].map((row) => displayWidth(row[column] ?? ''))),
  );
  const line = (row: readonly string[]) =>
    widths
      .map((width, column) => pad(row[column] ?? '', width, align[column] ?? null))
      .join(' │ ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('─┼─');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
