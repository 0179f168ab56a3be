/** Header handling of CSV trace files (the line splitter is ../csv-line.ts). */
import { splitCsvLine } from "../csv-line.js";
import { lineError } from "./record.js";

/** Header name as compared: trimmed, lower case, spaces and underscores ignored. */
export function normalizeHeader(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_]+/g, "");
}

/**
 * Column indices of `required` (and `optional`, -1 when absent) in a header line.
 * @throws InputError naming the line and the expected columns
 */
export function headerColumns(
  header: string, required: readonly string[], optional: readonly string[], file: string, lineNo: number, format: string,
): { required: number[]; optional: number[] } {
  const names = splitCsvLine(header).map(normalizeHeader);
  const find = (c: string): number => names.indexOf(normalizeHeader(c));
  const req = required.map(find);
  const missing = required.filter((_, k) => req[k] < 0);
  if (missing.length > 0) {
    throw lineError(file, lineNo, `expected the ${format} trace CSV header with columns ${required.join(", ")} (missing ${missing.join(", ")}), got "${header.slice(0, 80)}"`);
  }
  return { required: req, optional: optional.map(find) };
}
