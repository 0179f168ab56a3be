/** Flag choices are the schemas' enums: a value the schema gains is accepted, one it lacks is refused. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evictionPolicySchema, kvDtypeSchema, traceFormatSchema, weightDtypeSchema } from "../../src/config/schemas/common.schema.js";
import { cli } from "../helpers/cli.js";

describe("CLI choices", () => {
  it("program.ts passes no hand-written list of choices", () => {
    const src = readFileSync(new URL("../../src/cli/program.ts", import.meta.url), "utf8");
    expect(src).not.toMatch(/\.choices\(\s*\[|choiceArg\(\s*\[/);
  });

  it.each([
    ["estimate", "--weights", weightDtypeSchema.enum],
    ["estimate", "--kv-dtype", kvDtypeSchema.enum],
  ] as const)("%s %s lists the schema's values when given a bad one", async (command, flag, values) => {
    const r = await cli(command, "--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", "0:16", flag, "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Allowed choices are ${values.join(", ")}.`);
  });

  it.each([
    ["--policy", evictionPolicySchema.enum],
    ["--format", traceFormatSchema.enum],
  ] as const)("trace hit-curve %s names the schema's values when given a bad one", async (flag, values) => {
    const r = await cli("trace", "hit-curve", "x.jsonl", "--capacities", "0", flag, "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`expected one of ${values.join(", ")}`);
  });
});
