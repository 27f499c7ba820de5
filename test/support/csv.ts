/** CSV results read back in tests (dctwin writes plain CSV: a header row, no quoted commas). */
import { readFileSync } from "node:fs";

/** A row keyed by the header's column names: an empty cell is null, a numeric one a number. */
export type CsvRow = Record<string, string | number | null>;

export function parseCsv(text: string): CsvRow[] {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = header!.split(",");
  return lines.map((line) =>
    Object.fromEntries(
      line.split(",").map((v, i) => [names[i]!, v === "" ? null : /^-?[\d.]+(e[-+]?\d+)?$/i.test(v) ? Number(v) : v]),
    ),
  );
}

export const readCsv = (path: string): CsvRow[] => parseCsv(readFileSync(path, "utf8"));
