/**
 * Price lists: the bundled ones under `src/catalog/prices/` (one marked default) and user files
 * named by `--prices`. A user file may list only some GPUs or media; the rest come from the default
 * list, and the resolved table's name says so. Every output names the table it was priced with.
 */
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { PriceList } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { InputError, InvariantError, type InputIssue } from "../errors.js";
import { readJsonFile } from "../io/json-file.js";
import type { PriceTable } from "../sim/deployment/cost.js";
import { catalogAssetPath, listGpus, listKvMedia } from "./index.js";

/** A resolved price table and where its figures came from. */
export interface ResolvedPrices extends PriceTable {
  /** The bundled list the figures come from, or the user file's list name. */
  list: string;
  /** The user file, when --prices named one. */
  file?: string;
  /** The bundled list that filled what a user file left out (absent when nothing was filled). */
  base?: string;
}

let bundled: { list: PriceList; file: string }[] | undefined;

/** L3 media the price lists must price (L2 host memory is priced by hostMemoryUsdPerGbHour). */
function l3MediaIds(): string[] {
  return listKvMedia().filter((m) => m.tier === "l3").map((m) => m.id);
}

/** Ids a list names that the catalogs do not know (a typo would otherwise be silently unused). */
function unknownIds(list: PriceList, file: string): InputIssue[] {
  const gpus = new Set(listGpus().map((g) => g.id));
  const media = new Set(l3MediaIds());
  const issues: InputIssue[] = [];
  for (const k of ["gpuUsdPerHour", "gpuSources"] as const) {
    for (const id of Object.keys(list[k] ?? {})) {
      if (!gpus.has(id)) issues.push({ file, path: `/${k}/${id}`, message: `unknown GPU; expected one of ${[...gpus].join(", ")}` });
    }
  }
  for (const k of ["mediaUsdPerGbHour", "mediaSources"] as const) {
    for (const id of Object.keys(list[k] ?? {})) {
      if (!media.has(id)) issues.push({ file, path: `/${k}/${id}`, message: `unknown L3 medium; expected one of ${[...media].join(", ")}` });
    }
  }
  return issues;
}

/** A bundled list must price, with a source, every catalog GPU and L3 medium, and carry a date. */
function bundledIssues(list: PriceList, file: string): InputIssue[] {
  const issues = unknownIds(list, file);
  if (!list.date) issues.push({ file, path: "/date", message: "a bundled list needs the date its figures were read" });
  if (!list.source) issues.push({ file, path: "/source", message: "a bundled list needs a source" });
  if (list.hostMemoryUsdPerGbHour === undefined || !list.hostMemorySource) {
    issues.push({ file, path: "/hostMemoryUsdPerGbHour", message: "a bundled list prices host memory, with hostMemorySource" });
  }
  for (const g of listGpus()) {
    if (list.gpuUsdPerHour?.[g.id] === undefined) issues.push({ file, path: `/gpuUsdPerHour/${g.id}`, message: "is required in a bundled list" });
    if (!list.gpuSources?.[g.id]) issues.push({ file, path: `/gpuSources/${g.id}`, message: "is required in a bundled list" });
  }
  for (const m of l3MediaIds()) {
    if (list.mediaUsdPerGbHour?.[m] === undefined) issues.push({ file, path: `/mediaUsdPerGbHour/${m}`, message: "is required in a bundled list" });
    if (!list.mediaSources?.[m]) issues.push({ file, path: `/mediaSources/${m}`, message: "is required in a bundled list" });
  }
  return issues;
}

function loadBundled(): { list: PriceList; file: string }[] {
  if (bundled) return bundled;
  const dir = catalogAssetPath("prices");
  const out = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const file = resolve(dir, f);
      const list = validateSchema<PriceList>("prices", readJsonFile(file), file);
      const issues = bundledIssues(list, file);
      if (issues.length > 0) throw new InputError(issues);
      return { list, file };
    });
  const defaults = out.filter((b) => b.list.default);
  if (defaults.length !== 1) {
    throw new InvariantError(`exactly one bundled price list must be marked default, found ${defaults.length} in ${dir}`);
  }
  bundled = out;
  return out;
}

/** The bundled price lists, by name. */
export function listPriceLists(): PriceList[] {
  return loadBundled().map((b) => b.list);
}

/** The bundled list marked default (used when --prices is absent). */
export function defaultPriceList(): PriceList {
  return loadBundled().find((b) => b.list.default)!.list;
}

function tableOf(list: PriceList): ResolvedPrices {
  return {
    name: list.name,
    list: list.name,
    gpuUsdPerHour: { ...(list.gpuUsdPerHour ?? {}) },
    hostMemoryUsdPerGbHour: list.hostMemoryUsdPerGbHour ?? 0,
    mediaUsdPerGbHour: { ...(list.mediaUsdPerGbHour ?? {}) },
  };
}

/** The default list as a price table. */
export function defaultPrices(): ResolvedPrices {
  return tableOf(defaultPriceList());
}

/** A user price list merged over the default list: what it leaves out comes from the default. */
function mergeOverDefault(list: PriceList, file: string): ResolvedPrices {
  const base = defaultPriceList();
  const gpuUsdPerHour = { ...(base.gpuUsdPerHour ?? {}), ...(list.gpuUsdPerHour ?? {}) };
  const mediaUsdPerGbHour = { ...(base.mediaUsdPerGbHour ?? {}), ...(list.mediaUsdPerGbHour ?? {}) };
  const filled =
    listGpus().some((g) => list.gpuUsdPerHour?.[g.id] === undefined) ||
    l3MediaIds().some((m) => list.mediaUsdPerGbHour?.[m] === undefined) ||
    list.hostMemoryUsdPerGbHour === undefined;
  return {
    name: filled ? `${list.name} (rest from ${base.name})` : list.name,
    list: list.name,
    file,
    ...(filled ? { base: base.name } : {}),
    gpuUsdPerHour,
    hostMemoryUsdPerGbHour: list.hostMemoryUsdPerGbHour ?? base.hostMemoryUsdPerGbHour ?? 0,
    mediaUsdPerGbHour,
  };
}

/** Reads and checks a user prices file (schema, known GPU and media ids). */
export function loadPriceFile(file: string): PriceList {
  const list = validateSchema<PriceList>("prices", readJsonFile(file), file);
  const issues = unknownIds(list, file);
  if (issues.length > 0) throw new InputError(issues);
  return list;
}

/**
 * Resolves `--prices`: a bundled list's name, or a prices file (relative to `baseDir`); absent =
 * the default list. @param where names the file and JSON path that gave `ref` (a plan's `prices`).
 */
export function resolvePrices(ref?: string, baseDir = process.cwd(), where?: { file?: string; path?: string }): ResolvedPrices {
  if (ref === undefined) return defaultPrices();
  const hit = listPriceLists().find((l) => l.name === ref);
  if (hit) return tableOf(hit);
  const path = resolve(baseDir, ref);
  if (existsSync(path)) return mergeOverDefault(loadPriceFile(path), path);
  throw new InputError({
    file: where?.file,
    path: where?.path,
    message: `unknown price list "${ref}"; expected one of ${listPriceLists().map((l) => l.name).join(", ")} or a path to a prices file`,
  });
}
