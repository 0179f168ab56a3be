import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const srcDir = join(root, "src");

/**
 * The layers of src/, top down, and what each may import besides itself. This table is the one
 * place the rule lives (CONTRIBUTING.md's map describes it). Imports go one way only: the table
 * must be acyclic, so no two layers depend on each other, not even through a third.
 * A layer is a top-level folder of src/ (`errors` is src/errors.ts).
 */
const MAY_IMPORT = {
  cli: ["nightly", "compare", "search", "deploy", "report", "runner", "worker", "results", "inputs", "catalog", "io", "sim", "config", "errors"],
  bench: ["search", "deploy", "report", "runner", "worker", "results", "inputs", "catalog", "io", "sim", "config", "errors"],
  nightly: ["search", "deploy", "worker", "report", "runner", "results", "inputs", "catalog", "io", "sim", "config", "errors"],
  compare: ["search", "deploy", "worker", "report", "runner", "results", "inputs", "catalog", "io", "sim", "config", "errors"],
  search: ["deploy", "worker", "report", "runner", "results", "inputs", "catalog", "io", "sim", "config", "errors"],
  worker: ["runner", "results", "sim", "errors"],
  deploy: ["runner", "report", "results", "catalog", "io", "sim", "config", "errors"],
  report: ["results", "config", "errors"],
  runner: ["results", "catalog", "io", "sim", "config", "errors"],
  results: ["io", "config", "errors"],
  inputs: ["catalog", "io", "config", "errors"],
  catalog: ["io", "sim", "config", "errors"],
  io: ["sim", "config", "errors"],
  // The pure core: besides errors, only type-only imports of config (checked below).
  sim: ["config", "errors"],
  config: ["errors"],
  errors: [],
} as const satisfies Record<string, readonly string[]>;

type Layer = keyof typeof MAY_IMPORT;

/** Third-party packages, each confined to the layers that wrap it. */
const PACKAGE_LAYERS: Record<string, readonly Layer[]> = {
  piscina: ["worker"],
  commander: ["cli"],
  "cli-table3": ["report"],
  ajv: ["config"],
  "json-schema-to-ts": ["config"],
  mathjs: ["search"],
  "simple-statistics": ["sim", "runner"],
  "proper-lockfile": ["results"],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(importRe)].map((m) => m[1] ?? m[2]);
}

/** The layer of a path under src/ (its top-level folder, or the file name without `.ts`). */
function layerOf(path: string): string {
  const first = relative(srcDir, path).split(sep)[0];
  return first.replace(/\.[jt]s$/, "");
}

/** Layers in an order where every layer comes before those it imports, or null when there is a cycle. */
function topDown(table: Record<string, readonly string[]>): string[] | null {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (l: string): boolean => {
    if (state.get(l) === "done") return true;
    if (state.get(l) === "visiting") return false;
    state.set(l, "visiting");
    for (const d of table[l] ?? []) if (!visit(d)) return false;
    state.set(l, "done");
    order.unshift(l);
    return true;
  };
  for (const l of Object.keys(table)) if (!visit(l)) return null;
  return order;
}

const srcFiles = tsFiles(srcDir);

describe("layers", () => {
  it("the table is one-way (acyclic) and names only known layers", () => {
    const layers = Object.keys(MAY_IMPORT);
    for (const deps of Object.values(MAY_IMPORT)) for (const d of deps) expect(layers).toContain(d);
    expect(topDown(MAY_IMPORT)).not.toBeNull();
  });

  it("every top-level folder of src/ has its place in the table", () => {
    const present = new Set(srcFiles.map(layerOf));
    expect([...present].filter((l) => !(l in MAY_IMPORT))).toEqual([]);
  });

  it.each(srcFiles.map((f) => [relative(root, f), f]))("%s imports only the layers its layer may", (rel, file) => {
    const from = layerOf(file) as Layer;
    const allowed: readonly string[] = MAY_IMPORT[from];
    for (const spec of importsOf(file)) {
      if (spec.startsWith(".")) {
        const to = layerOf(join(file, "..", spec));
        if (to !== from) expect(allowed, `${rel} imports ${spec} (${from} -> ${to})`).toContain(to);
      } else {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        const where = PACKAGE_LAYERS[pkg];
        if (where) expect(where, `${rel} imports ${pkg}`).toContain(from);
      }
    }
  });

  it("no module outside cli/ imports cli/", () => {
    const offenders = srcFiles
      .filter((f) => layerOf(f) !== "cli")
      .filter((f) => importsOf(f).some((s) => s.startsWith(".") && layerOf(join(f, "..", s)) === "cli"));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});

describe("the pure core (src/sim)", () => {
  const simFiles = tsFiles(join(srcDir, "sim"));

  it("has simulator sources to check", () => {
    expect(simFiles.length).toBeGreaterThan(3);
  });

  it.each(simFiles.map((f) => [relative(root, f), f]))("%s imports no I/O, threads, CLI or validation", (_rel, file) => {
    const banned = /^(node:|fs$|path$|os$|child_process$|worker_threads$|piscina|commander|ajv|cli-table3)/;
    const bad = importsOf(file).filter((s) => banned.test(s));
    expect(bad).toEqual([]);
    // Relative imports may not leave the pure core, except for type-only config imports and errors.
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/(import\s+(type\s+)?[^;]*?from\s+["'](\.[^"']+)["'])/g)) {
      const spec = m[3];
      const typeOnly = Boolean(m[2]);
      const target = join(file, "..", spec);
      const insideSim = target.startsWith(join(srcDir, "sim"));
      const allowed = insideSim || target.endsWith("src/errors.js") || (typeOnly && target.includes("src/config/"));
      expect(allowed, `${relative(root, file)} imports ${spec}`).toBe(true);
    }
  });

  it.each(simFiles.map((f) => [relative(root, f), f]))("%s reads no clock and no Math.random", (_rel, file) => {
    const src = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
    expect(src).not.toMatch(/Math\.random|Date\.now|performance\.now|new Date\(|process\./);
  });
});

describe("a clone has everything", () => {
  it("nothing in src or test reads ../shared", () => {
    const files = [...srcFiles, ...tsFiles(join(root, "test"))].filter((f) => !f.endsWith("architecture.test.ts"));
    const offenders = files.filter((f) => /\.\.\/shared|\.\.\/\.\.\/shared/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
