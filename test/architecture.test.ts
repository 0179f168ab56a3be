import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;

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

describe("architecture", () => {
  const simFiles = tsFiles(join(root, "src/sim"));

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
      const insideSim = target.startsWith(join(root, "src/sim"));
      const allowed = insideSim || target.endsWith("src/errors.js") || (typeOnly && target.includes("src/config/"));
      expect(allowed, `${relative(root, file)} imports ${spec}`).toBe(true);
    }
  });

  it.each(simFiles.map((f) => [relative(root, f), f]))("%s reads no clock and no Math.random", (_rel, file) => {
    const src = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
    expect(src).not.toMatch(/Math\.random|Date\.now|performance\.now|new Date\(|process\./);
  });

  it("nothing in src or test reads ../shared", () => {
    const files = [...tsFiles(join(root, "src")), ...tsFiles(join(root, "test"))].filter((f) => !f.endsWith("architecture.test.ts"));
    const offenders = files.filter((f) => /\.\.\/shared|\.\.\/\.\.\/shared/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
