/**
 * Writes the package's `schemas/*.schema.json` from the TypeScript schemas (src/config/schemas/).
 * Run after changing a schema: `node_modules/.bin/tsx scripts/export-schemas.ts`; a test fails
 * while the files are stale.
 */
import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderSchemaFiles } from "../src/config/schema-files.js";

const dir = resolve(new URL("..", import.meta.url).pathname, "schemas");
mkdirSync(dir, { recursive: true });
const files = renderSchemaFiles();
for (const f of readdirSync(dir)) if (f.endsWith(".schema.json") && !(f in files)) unlinkSync(join(dir, f));
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
console.log(`wrote ${Object.keys(files).length} schema files to ${dir}`);
