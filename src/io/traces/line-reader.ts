/** Streaming a text file line by line in large chunks (no whole-file string, no per-line promise). */
import { createReadStream } from "node:fs";

/**
 * Calls `fn(line, lineNo)` for every line of `path` (1-based numbers, line ends and a leading BOM
 * stripped). `fn` returns false to stop reading early. Errors thrown by `fn` propagate.
 */
export async function forEachLine(path: string, fn: (line: string, lineNo: number) => boolean | void): Promise<void> {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  let carry = "";
  let lineNo = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let start = 0;
      const text = chunk;
      if (carry.length > 0) {
        const nl = chunk.indexOf("\n");
        if (nl < 0) {
          carry += chunk;
          continue;
        }
        if (emit(carry + chunk.slice(0, nl)) === false) return;
        carry = "";
        start = nl + 1;
      }
      for (;;) {
        const nl = text.indexOf("\n", start);
        if (nl < 0) break;
        if (emit(text.slice(start, nl)) === false) return;
        start = nl + 1;
      }
      carry = text.slice(start);
    }
    if (carry.length > 0) emit(carry);
  } finally {
    stream.destroy();
  }

  function emit(line: string): boolean | void {
    lineNo++;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    return fn(line, lineNo);
  }
}
