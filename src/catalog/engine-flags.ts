/**
 * The engines' and the router's CLI flags per release (`engine-flags.json`, read from each project's
 * own argument definitions at the release tag; every entry names file, function and line). The
 * deploy writer spells commands from rules; `flagIssues` checks a command against this list, so a
 * flag a release does not define never reaches a launch script.
 */
import { readFileSync } from "node:fs";
import { InvariantError } from "../errors.js";
import { catalogAssetPath } from "./index.js";

export type FlagTool = "sglang" | "vllm" | "sglangRouter";

interface FlagEntry {
  hisim: string;
  /** Line of the definition per read release (absent = the release does not define the flag). */
  lines: Record<string, number>;
  aliases?: string[];
  /** Accepted values per read release, where the definition restricts them. */
  choices?: Record<string, (string | number)[]>;
  file?: string;
  function?: string;
}

interface ToolEntry {
  entrypoint: string;
  repository: string;
  file?: string;
  function: string;
  /** Releases read at their tag (SGLang, vLLM) or release-bump commit (router). */
  read: Record<string, { tag?: string; commit: string; date?: string; file?: string }>;
  /** Modelled releases not read: a flag counts as defined when every listed read release defines it. */
  unread?: Record<string, string[]>;
  flags: Record<string, FlagEntry>;
  negatable?: { about: string; flags: string[] };
  engineToRouter?: Record<string, string>;
}

type Registry = Record<FlagTool, ToolEntry>;

let registry: Registry | undefined;

function load(): Registry {
  return (registry ??= JSON.parse(readFileSync(catalogAssetPath("engine-flags.json"), "utf8")) as Registry);
}

/** The read releases whose definitions decide what `version` of `tool` accepts. */
export function readReleasesFor(tool: FlagTool, version: string): string[] {
  const t = load()[tool];
  if (t.read[version]) return [version];
  const bracket = t.unread?.[version];
  if (bracket) return bracket;
  throw new InvariantError(`no flag list for ${tool} ${version}; known: ${[...Object.keys(t.read), ...Object.keys(t.unread ?? {})].join(", ")}`);
}

/** The sglang-router release that pairs with an engine release (newest router release dated on or before it). */
export function routerReleaseFor(engine: "sglang" | "vllm", version: string): string {
  const map = load().sglangRouter.engineToRouter ?? {};
  const r = engine === "vllm" ? map.vllm : map[version];
  if (!r) throw new InvariantError(`no router release paired with ${engine} ${version}`);
  return r;
}

/** The newest code whose router accepts `--policy bucket` (unreleased: the SGLang tree at v0.5.18). */
export const ROUTER_TREE_RELEASE = "tree-v0.5.18";

/** Where a flag is defined in `release` of `tool`: "file function Lnn @tag/commit". */
export function flagSource(tool: FlagTool, release: string, flag: string): string {
  const t = load()[tool];
  const base = flag.startsWith("--no-") ? `--${flag.slice(5)}` : flag;
  const f = t.flags[base];
  const r = t.read[release];
  const file = f?.file ?? r?.file ?? t.file ?? "";
  const at = r ? (r.tag ?? r.commit.slice(0, 10)) : release;
  return `${t.repository} ${file} ${f?.function ?? t.function} L${f?.lines[release] ?? "?"} @${at}`;
}

/** Flag names (options starting with "-") of an argv, in order. */
export function flagNames(argv: readonly string[]): string[] {
  return argv.filter((a) => /^--?[a-z]/.test(a));
}

/**
 * Problems with `argv` for `version` of `tool`: a flag the release does not define, or a value
 * outside the choices the definition allows. Empty = every flag and restricted value is defined.
 */
export function flagIssues(tool: FlagTool, version: string, argv: readonly string[]): string[] {
  const t = load()[tool];
  const releases = readReleasesFor(tool, version);
  const issues: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!/^--?[a-z]/.test(a)) continue;
    let name = a;
    if (a.startsWith("--no-")) {
      name = `--${a.slice(5)}`;
      if (!(t.negatable?.flags ?? []).includes(name)) {
        issues.push(`${a}: ${tool} has no negated form of ${name}`);
        continue;
      }
    }
    const entry = t.flags[name] ?? Object.entries(t.flags).find(([, e]) => e.aliases?.includes(name))?.[1];
    if (!entry) {
      issues.push(`${a}: not in the ${tool} flag list`);
      continue;
    }
    const missing = releases.filter((r) => entry.lines[r] === undefined);
    if (missing.length > 0) {
      issues.push(`${a}: not defined by ${tool} ${missing.join(", ")}`);
      continue;
    }
    const value = argv[i + 1];
    for (const r of releases) {
      const choices = entry.choices?.[r];
      if (choices && value !== undefined && !choices.map(String).includes(value)) {
        issues.push(`${a} ${value}: ${tool} ${r} accepts ${choices.join(", ")}`);
      }
    }
  }
  return issues;
}

/** Whether read release `release` of `tool` defines `flag`. */
export function definesFlag(tool: FlagTool, release: string, flag: string): boolean {
  return readReleasesFor(tool, release).every((r) => load()[tool].flags[flag]?.lines[r] !== undefined);
}

/** The values `flag` accepts in `release` (undefined = not restricted). */
export function flagChoices(tool: FlagTool, release: string, flag: string): string[] | undefined {
  const sets = readReleasesFor(tool, release).map((r) => load()[tool].flags[flag]?.choices?.[r]?.map(String));
  if (sets.some((c) => c === undefined)) return undefined;
  return sets[0]!.filter((c) => sets.every((s) => s!.includes(c)));
}

/** The entrypoint and repository of a tool (for the deploy README). */
export function toolInfo(tool: FlagTool): { entrypoint: string; repository: string } {
  const t = load()[tool];
  return { entrypoint: t.entrypoint, repository: t.repository };
}
