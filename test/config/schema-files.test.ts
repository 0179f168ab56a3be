/**
 * The shipped `schemas/*.schema.json` files: current with the TypeScript schemas, named by the
 * bundled inputs' `$schema`, and used by `validate config` to know a file's kind.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { kindOfSchemaRef, renderSchemaFiles } from "../../src/config/schema-files.js";
import { checkSchema } from "../../src/config/validate.js";
import { validateConfigFile } from "../../src/inputs/load.js";
import { sampleFile, infeasibleFile } from "../report/sample-file.js";

const root = resolve(new URL("../..", import.meta.url).pathname);

describe("schemas/", () => {
  it("holds exactly the files scripts/export-schemas.ts writes, byte for byte (run it after changing a schema)", () => {
    const expected = renderSchemaFiles();
    const onDisk = readdirSync(join(root, "schemas")).filter((f) => f.endsWith(".json")).sort();
    expect(onDisk).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) expect(readFileSync(join(root, "schemas", name), "utf8"), name).toBe(text);
  });

  it("ships every input kind and frontier.json", () => {
    expect(Object.keys(renderSchemaFiles()).sort()).toEqual(expect.arrayContaining([
      "slo-spec.schema.json", "search-space.schema.json", "deployment.schema.json", "workload.schema.json", "prices.schema.json", "frontier.schema.json",
    ]));
  });

  it("package.json ships the folder", () => {
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).files).toContain("schemas");
  });
});

describe("$schema in the bundled inputs", () => {
  const bundled: [string, string][] = [];
  for (const [dir, kinds] of [["slo-specs", ["slo-spec"]], ["search-spaces", ["search-space"]], ["examples/mooncake", ["deployment", "workload"]], ["src/catalog/prices", ["prices"]]] as const) {
    for (const f of readdirSync(join(root, dir)).filter((x) => x.endsWith(".json")).sort()) bundled.push([`${dir}/${f}`, kinds.join("|")]);
  }

  it.each(bundled)("%s names an existing schema of its kind and is valid", (rel, kinds) => {
    const path = join(root, rel);
    const data = JSON.parse(readFileSync(path, "utf8")) as { $schema?: string };
    expect(data.$schema).toBeDefined();
    // The reference resolves to the shipped file, relative to the input.
    const target = resolve(join(path, ".."), data.$schema!);
    expect(relative(root, target)).toMatch(/^schemas\/[a-z-]+\.schema\.json$/);
    expect(readdirSync(join(root, "schemas"))).toContain(target.split("/").pop());
    const kind = kindOfSchemaRef(data.$schema!)!;
    expect(kinds.split("|")).toContain(kind);
    if (rel.endsWith("examples/mooncake/workload.json")) return; // its trace lives outside the repo
    expect(validateConfigFile(path)).toEqual({ kind, issues: [] });
  });
});

describe("the frontier.json schema", () => {
  it.each([["a file with a recommendation", sampleFile()], ["an infeasible file", infeasibleFile()]])("accepts %s as written to disk", (_, f) => {
    const json = JSON.parse(JSON.stringify(f));
    expect(checkSchema("frontier", json)).toEqual([]);
  });

  it("rejects a file without schemaVersion or prices", () => {
    const { schemaVersion: _v, prices: _p, ...rest } = JSON.parse(JSON.stringify(sampleFile()));
    expect(checkSchema("frontier", rest).map((i) => i.path).sort()).toEqual(["/prices", "/schemaVersion"]);
  });
});

describe("kindOfSchemaRef", () => {
  it.each([
    ["../schemas/slo-spec.schema.json", "slo-spec"],
    ["./node_modules/hisim-tune/schemas/deployment.schema.json", "deployment"],
    ["https://example.org/x/prices.schema.json", "prices"],
    ["C:\\work\\schemas\\workload.schema.json", "workload"],
    ["../schemas/unknown.schema.json", undefined],
    ["slo-spec.json", undefined],
  ])("%s -> %s", (ref, kind) => expect(kindOfSchemaRef(ref)).toBe(kind));
});
