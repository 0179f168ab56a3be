/** Where a command writes. The CLI passes process streams; tests pass buffers. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal (progress may redraw lines). */
  errIsTty: boolean;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTty: Boolean(process.stderr.isTTY),
};

/** Collects output in memory (tests). */
export function bufferIo(): CliIo & { stdout: () => string; stderr: () => string } {
  let o = "";
  let e = "";
  return {
    out: (t) => (o += t),
    err: (t) => (e += t),
    errIsTty: false,
    stdout: () => o,
    stderr: () => e,
  };
}
