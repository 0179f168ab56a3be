import { RuntimeFailure } from "../../errors.js";

/** Placeholder for a command whose implementation has not landed yet. */
export function notYet(name: string): never {
  throw new RuntimeFailure(`"${name}" is not implemented in this build yet`);
}
