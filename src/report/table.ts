import Table from "cli-table3";

/** A plain (uncolored) cli-table3 table, so output pipes cleanly into files and diffs. */
export function newTable(head: string[], colAligns?: ("left" | "right" | "center")[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: false }, ...(colAligns ? { colAligns } : {}) });
}
