/** A failure the user can act on: its message is printed as it is, and the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints `value` as JSON (for --json), or the lines of `text`. */
export function print(json: boolean, value: unknown, text: () => string[]): void {
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else for (const line of text()) process.stdout.write(`${line}\n`);
}

/** A size for people: 1.2 MB. */
export function bytes(count: number): string {
  if (count < 1000) return `${count} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = count;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Rows as aligned columns. */
export function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, n) => Math.max(max[n] ?? 0, cell.length)), []);
  return rows.map((row) =>
    row
      .map((cell, n) => (n === row.length - 1 ? cell : cell.padEnd(widths[n])))
      .join('  ')
      .trimEnd(),
  );
}

/** "1 file", "2 files". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
