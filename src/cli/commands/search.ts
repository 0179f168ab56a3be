import type { CliIo } from "../io.js";
import { notYet } from "./not-yet.js";
export async function searchCommand(_opts: Record<string, unknown>, _io: CliIo): Promise<void> {
  notYet("hisim-tune --slo");
}
