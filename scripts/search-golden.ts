/**
 * Dev script: golden outputs of the search, to check that a refactoring leaves every result
 * byte-identical. Runs the built CLI (`node dist/cli/main.js`, so `npm run build` first) on the
 * bundled SLO specs, one of them with another seed, and the small test spec with `--exhaustive`,
 * and compares each results folder with a recorded one:
 *
 * - `frontier.json`: identical once `runId` and `wallS` (the only volatile fields) are removed;
 * - `frontier.csv`: byte-identical;
 * - `summary.md`, `report.html`: identical once the run id, wall times and the checkout's absolute
 *   path are masked;
 * - `run.json`: identical without its run id, start/finish times and timings, paths masked;
 * - `trials.jsonl`: the same lines (sorted: with several workers they are appended in completion order).
 *
 *   node_modules/.bin/tsx scripts/search-golden.ts record .tmp/search-golden   # before the change
 *   node_modules/.bin/tsx scripts/search-golden.ts check .tmp/search-golden    # after it: exit 1 on any difference
 *
 * Goldens are not committed (a deliberate model change changes them); record them on the commit
 * before the change being checked. `--only <name>` runs one case.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);

/** Case name -> CLI arguments (besides --out, --quiet and --workers). */
const CASES: Record<string, string[]> = {
  "chat-qwen3-32b": ["--slo", "slo-specs/chat-qwen3-32b.json"],
  "agentic-coder-480b": ["--slo", "slo-specs/agentic-coder-480b.json"],
  "mooncake-replay": ["--slo", "slo-specs/mooncake-replay.json"],
  "chat-seed7": ["--slo", "slo-specs/chat-qwen3-32b.json", "--seed", "7"],
  "small-exh": ["--slo", "test/fixtures/search/small-slo.json", "--exhaustive"],
};

const WORKERS = "2";

/** Masks what changes from run to run or from checkout to checkout in a text report. */
function maskText(text: string, runId: string): string {
  return text
    .split(runId).join("<run-id>")
    .replace(/(?:\/[\w.@+-]+)+\/(search-spaces|slo-specs|test)\//g, "<repo>/$1/")
    .replace(/\b\d+(?:\.\d+)? s\b/g, "<t> s")
    .replace(/\b\d+m \d{2}s\b/g, "<t> s")
    .replace(/\b\d+h \d{2}m\b/g, "<t> s");
}

const json = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, "utf8")) as Record<string, unknown>;

/** What must be identical between two results folders, one string per file. */
function comparable(dir: string): Record<string, string> {
  const frontier = json(join(dir, "frontier.json"));
  const runId = String(frontier.runId);
  delete frontier.runId;
  delete frontier.wallS;
  const run = json(join(dir, "run.json"));
  for (const k of ["runId", "startedAt", "finishedAt", "resumedAt", "timings"]) delete run[k];
  const trials = readFileSync(join(dir, "trials.jsonl"), "utf8").split("\n").filter((l) => l !== "").sort();
  return {
    "frontier.json": JSON.stringify(frontier, null, 2),
    "frontier.csv": readFileSync(join(dir, "frontier.csv"), "utf8"),
    "summary.md": maskText(readFileSync(join(dir, "summary.md"), "utf8"), runId),
    "report.html": maskText(readFileSync(join(dir, "report.html"), "utf8"), runId),
    "run.json": maskText(JSON.stringify(run, null, 2), runId),
    "trials.jsonl": trials.join("\n"),
  };
}

/** The first line where two texts differ, for the report. */
function firstDifference(a: string, b: string): string {
  const la = a.split("\n");
  const lb = b.split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n      golden: ${(la[i] ?? "<none>").slice(0, 160)}\n      now:    ${(lb[i] ?? "<none>").slice(0, 160)}`;
  }
  return "(same lines)";
}

function runCase(name: string, out: string): number {
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), ...CASES[name], "--out", out, "--quiet", "--workers", WORKERS], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) {
    process.stderr.write(`${name}: exit ${r.status}\n${r.stderr}`);
    process.exit(1);
  }
  return (performance.now() - t0) / 1000;
}

function main(): void {
  const [mode, dirArg] = process.argv.slice(2);
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
  if ((mode !== "record" && mode !== "check") || !dirArg) {
    process.stderr.write("usage: search-golden.ts record|check <dir> [--only <case>]\n");
    process.exit(2);
  }
  if (!existsSync(join(root, "dist/cli/main.js"))) {
    process.stderr.write("dist/cli/main.js is missing: run `npm run build` first\n");
    process.exit(2);
  }
  const dir = resolve(dirArg);
  const scratch = join(root, ".tmp/search-golden-now");
  mkdirSync(dir, { recursive: true });
  let differ = 0;
  for (const name of Object.keys(CASES)) {
    if (only !== undefined && name !== only) continue;
    const golden = join(dir, `search-${name}`);
    const out = mode === "record" ? golden : join(scratch, name);
    const wallS = runCase(name, out);
    let verdict = "recorded";
    const notes: string[] = [];
    if (mode === "check") {
      const want = comparable(golden);
      const got = comparable(out);
      for (const file of Object.keys(want)) {
        if (want[file] !== got[file]) notes.push(`    ${file} differs at ${firstDifference(want[file], got[file])}`);
      }
      verdict = notes.length === 0 ? "same" : "DIFFERENT";
      if (notes.length > 0) differ++;
    }
    process.stdout.write(`${name.padEnd(22)} ${wallS.toFixed(1).padStart(6)} s  ${verdict}\n${notes.map((n) => `${n}\n`).join("")}`);
  }
  if (differ > 0) {
    process.stdout.write(`${differ} case(s) differ (new outputs are in ${scratch})\n`);
    process.exit(1);
  }
}

main();
