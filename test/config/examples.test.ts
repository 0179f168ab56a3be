/** The example inputs under examples/ stay valid as schemas and rules change. */
import { TEST_PRICES } from "../helpers/prices.js";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadDeployment, loadWorkload } from "../../src/inputs/load.js";
import { validateSchema } from "../../src/config/validate.js";
import { readJsonFile } from "../../src/io/json-file.js";
import { prepareDeployment } from "../../src/runner/prepare.js";

const DIR = fileURLToPath(new URL("../../examples/mooncake/", import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

describe("examples/mooncake", () => {
  it.each(files.filter((f) => !f.startsWith("workload")))("%s is a valid deployment that fits", (f) => {
    const d = loadDeployment(DIR + f);
    expect(d.replicas).toBe(8);
    expect(prepareDeployment(d, DIR + f, { prices: TEST_PRICES }).memory.fits).toBe(true);
  });

  it("the slice workload loads; the full-trace one is a valid trace workload (its file lives outside the repo)", () => {
    expect(loadWorkload(DIR + "workload-slice.json").kind).toBe("trace");
    expect(validateSchema<{ kind: string }>("workload", readJsonFile(DIR + "workload.json")).kind).toBe("trace");
  });
});
