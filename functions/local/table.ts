// CLI output --> aligned tables for people; every command that prints rows uses these. Cells come
// from mail (subjects, reasons, header values): control characters are shown as U+FFFD (for-people.ts).
import { forPeople } from './for-people.js';

export interface Column {
  key: string;
  title: string;
}

/** One row, each column padded to its width; the last column is never padded or cut. */
export function formatRow(
  row: Record<string, string>,
  columns: Column[],
  widths: Record<string, number>,
): string {
  return columns
    .map((column, index) => {
      const value = forPeople(row[column.key] ?? '');
      return index === columns.length - 1 ? value : value.padEnd(widths[column.key] ?? value.length);
    })
    .join('  ')
    .trimEnd();
}

/** Rows known up front: each column as wide as its widest value. */
export function printTable(
  rows: Record<string, string>[],
  columns: Column[],
  print: (line: string) => void = (line) => console.log(line),
): void {
  const widths: Record<string, number> = {};
  for (const column of columns) {
    widths[column.key] = Math.max(
      column.title.length,
      ...rows.map((row) => forPeople(row[column.key] ?? '').length),
    );
  }
  print(formatRow(Object.fromEntries(columns.map((column) => [column.key, column.title])), columns, widths));
  for (const row of rows) print(formatRow(row, columns, widths));
}
