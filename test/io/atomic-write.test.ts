import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runAndKill } from "./kill-child.js";
import { testTempDir } from "../helpers/tmp.js";

// Lets a test make rename fail, i.e. a failure between writing the temp file and renaming it.
const failRename = { on: false };
vi.mock("node:fs", async (orig) => {
  const real = await orig<typeof import("node:fs")>();
  return {
    ...real,
    renameSync: (from: string, to: string) => {
      if (failRename.on) throw new Error("simulated crash before rename");
      return real.renameSync(from, to);
    },
  };
});

const { tempPathFor, writeFileAtomic, writeJsonAtomic } = await import("../../src/io/atomic-write.js");
const { RuntimeFailure } = await import("../../src/errors.js");

const tmp = testTempDir("hisim-atomic-").sub;

afterEach(() => {
  failRename.on = false;
});

describe("writeFileAtomic", () => {
  it("writes the whole content and leaves no temp file", () => {
    const d = tmp();
    writeFileAtomic(join(d, "a.txt"), "hello\n");
    writeJsonAtomic(join(d, "b.json"), { x: [1, 2] });
    expect(readFileSync(join(d, "a.txt"), "utf8")).toBe("hello\n");
    expect(readFileSync(join(d, "b.json"), "utf8")).toBe('{\n  "x": [\n    1,\n    2\n  ]\n}\n');
    expect(readdirSync(d).sort()).toEqual(["a.txt", "b.json"]);
  });

  it("keeps the old file intact and removes the temp file when the rename fails", () => {
    const d = tmp();
    const f = join(d, "frontier.json");
    writeFileSync(f, "old complete content");
    failRename.on = true;
    expect(() => writeFileAtomic(f, "new content that never lands")).toThrow(RuntimeFailure);
    expect(readFileSync(f, "utf8")).toBe("old complete content");
    expect(readdirSync(d)).toEqual(["frontier.json"]);
  });

  it("never creates the target when the first write fails", () => {
    const d = tmp();
    failRename.on = true;
    expect(() => writeFileAtomic(join(d, "new.txt"), "x")).toThrow(/cannot write .*new\.txt: simulated crash/);
    expect(existsSync(join(d, "new.txt"))).toBe(false);
    expect(readdirSync(d)).toEqual([]);
  });

  it("uses a hidden temp name in the same folder", () => {
    const p = tempPathFor("/some/dir/report.html");
    expect(p.startsWith("/some/dir/.report.html.")).toBe(true);
    expect(p.endsWith(".tmp")).toBe(true);
    expect(tempPathFor("/some/dir/report.html")).not.toBe(p);
  });

  it("a process killed while rewriting leaves one complete version", async () => {
    const d = tmp();
    const f = join(d, "big.txt");
    await runAndKill("test/io/fixtures/rewrite-forever.ts", [f], 150);
    const text = readFileSync(f, "utf8");
    expect(text === "A".repeat(2_000_000) || text === "B".repeat(3_000_000)).toBe(true);
  }, 30_000);
});
