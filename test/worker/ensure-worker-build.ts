/**
 * Makes sure `dist/worker/sim-worker.js` and everything it imports are built and newer than their
 * sources (worker threads cannot load `.ts`). Rebuilds with `tsc -p tsconfig.build.json` when not;
 * tsc still emits when files outside the worker's import closure have type errors.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(new URL("../..", import.meta.url).pathname);
const ENTRY = join(root, "src/worker/sim-worker.ts");

/** Source files reachable from the worker entry through relative imports. */
export function workerClosure(): string[] {
  const seen = new Set<string>();
  const stack = [ENTRY];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2];
      const ts = resolve(dirname(f), spec).replace(/\.js$/, ".ts");
      if (existsSync(ts)) stack.push(ts);
    }
  }
  return [...seen].sort();
}

function stale(): string[] {
  return workerClosure().filter((src) => {
    const out = join(root, "dist", relative(join(root, "src"), src)).replace(/\.ts$/, ".js");
    return !existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs;
  });
}

/** Builds when needed; returns why the build is unusable, or undefined when it is fine. */
export function ensureWorkerBuild(): string | undefined {
  if (stale().length === 0) return undefined;
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: "pipe",
    });
  } catch {
    // Type errors elsewhere make tsc exit non-zero but it still emits; check the files below.
  }
  const left = stale();
  return left.length === 0 ? undefined : `dist is missing or older than ${left.map((f) => relative(root, f)).join(", ")} after tsc`;
}
