/**
 * A launch command as data: environment, program words and flags. Kept apart from its shell text so
 * the flags can be checked against the engines' own definitions (`catalog/engine-flags.ts`).
 */

/** A word already in shell syntax (a `${VAR:?message}` placeholder); everything else is quoted. */
export interface ShellWord {
  shell: string;
}

export type Word = string | ShellWord;

export interface Command {
  /** What it launches, for headings ("replica 0 on node-0", "router"). */
  title: string;
  env: [string, Word][];
  /** Program words before the flags (`python -m sglang.launch_server`, `vllm serve <model>`). */
  program: Word[];
  /** Flags and their values, in order. */
  args: Word[];
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word as shell text: plain when safe, else single-quoted. */
export function shellWord(w: Word): string {
  if (typeof w !== "string") return w.shell;
  if (w.length > 0 && SAFE.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The flags as plain strings (placeholders as written), for checking. */
export function plainArgs(c: Command): string[] {
  return c.args.map((w) => (typeof w === "string" ? w : w.shell));
}

/** The command as one shell line, continued over lines of at most ~100 characters. */
export function shellText(c: Command): string {
  const env = c.env.map(([k, v]) => `${k}=${shellWord(v)}`);
  const head = [...env, ...c.program.map(shellWord)].join(" ");
  const parts: string[] = [];
  for (let i = 0; i < c.args.length; i++) {
    const a = shellWord(c.args[i]);
    const next = c.args[i + 1];
    // A flag and its value stay on one line.
    if (a.startsWith("-") && next !== undefined && !(typeof next === "string" && next.startsWith("--"))) {
      const vals: string[] = [];
      let j = i + 1;
      while (j < c.args.length && !(typeof c.args[j] === "string" && (c.args[j] as string).startsWith("--"))) vals.push(shellWord(c.args[j++]));
      parts.push([a, ...vals].join(" "));
      i = j - 1;
    } else parts.push(a);
  }
  const lines: string[] = [head];
  for (const p of parts) {
    const last = lines[lines.length - 1];
    if (last.length + 1 + p.length > 100) lines.push(`  ${p}`);
    else lines[lines.length - 1] = `${last} ${p}`;
  }
  return lines.join(" \\\n");
}
