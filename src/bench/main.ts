/**
 * `npm run bench`: measures speed and accuracy figures and prints them with their targets.
 * Sections live in their own modules; wall-clock timing is allowed here and nowhere in tests.
 */
import type { BenchSection } from "./figure.js";

const sections: (() => Promise<{ default: BenchSection } | { sections: BenchSection[] }>)[] = [
  () => import("./router.js"),
  () => import("./workload.js"),
  () => import("./estimator.js"),
  () => import("./simulate.js"),
  () => import("./search.js"),
];

async function main(): Promise<void> {
  const only = process.argv[2];
  let failed = 0;
  for (const load of sections) {
    const mod = await load();
    const list = "default" in mod ? [mod.default] : mod.sections;
    for (const s of list) {
      if (only && !s.title.toLowerCase().includes(only.toLowerCase())) continue;
      process.stdout.write(`\n== ${s.title}\n`);
      for (const f of await s.run()) {
        const mark = f.ok === undefined ? "" : f.ok ? "  ok" : "  MISSED";
        if (f.ok === false) failed++;
        const v = Math.abs(f.value) >= 100 || Number.isInteger(f.value) ? f.value.toFixed(0) : f.value.toPrecision(4);
        process.stdout.write(`  ${f.name}: ${v} ${f.unit}${f.target ? `  (target ${f.target})` : ""}${mark}\n`);
      }
    }
  }
  process.stdout.write(`\n${failed === 0 ? "all targets met" : `${failed} target(s) missed`}\n`);
}

await main();
