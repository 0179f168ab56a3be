/**
 * Error model. `src/cli/main.ts` is the only place that maps these to exit codes:
 * 2 = bad usage or invalid input, 1 = runtime failure, internal errors ask for a bug report.
 * Infeasible SLOs and models that do not fit are values, not exceptions.
 */

/** One problem in one input: which file, where in it (JSON pointer) and what was expected. */
export interface InputIssue {
  file?: string;
  path?: string;
  message: string;
}

export abstract class HisimError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: 1 | 2;
}

/** A bad input file or value; carries every issue found, not just the first. */
export class InputError extends HisimError {
  readonly code = "E_INPUT";
  readonly exitCode = 2 as const;
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[] | InputIssue | string) {
    const list = typeof issues === "string" ? [{ message: issues }] : Array.isArray(issues) ? issues : [issues];
    super(list.map(formatIssue).join("\n"));
    this.name = "InputError";
    this.issues = list;
  }
}

/** A bad command line (unknown flag value, missing argument). */
export class UsageError extends HisimError {
  readonly code = "E_USAGE";
  readonly exitCode = 2 as const;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Something failed while running (I/O, worker crash) that is not the user's input. */
export class RuntimeFailure extends HisimError {
  readonly code = "E_RUNTIME";
  readonly exitCode = 1 as const;
  constructor(message: string) {
    super(message);
    this.name = "RuntimeFailure";
  }
}

/** A broken internal invariant of the simulator: a bug, never the user's fault. */
export class InvariantError extends HisimError {
  readonly code = "E_INVARIANT";
  readonly exitCode = 1 as const;
  constructor(message: string) {
    super(message);
    this.name = "InvariantError";
  }
}

/** `file: /json/path: message`, omitting the parts that are unknown. */
export function formatIssue(issue: InputIssue): string {
  const where = [issue.file, issue.path === undefined ? undefined : issue.path || "/"].filter((s) => s !== undefined);
  return where.length > 0 ? `${where.join(": ")}: ${issue.message}` : issue.message;
}

/** Throws an InvariantError when `cond` is false; used for checks that must never fail. */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InvariantError(message);
}
