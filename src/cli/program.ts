/**
 * The command table. Each action lazily imports its command module, which calls the library;
 * `runCli` is the one place that maps errors to exit codes.
 */
import { Command, CommanderError, Option } from "commander";
import {
  engineKindSchema, evictionPolicySchema, kvDtypeSchema, traceFormatSchema, weightDtypeSchema,
} from "../config/schemas/common.schema.js";
import { HisimError, InputError, formatIssue } from "../errors.js";
import { toolVersions } from "../results/run-info.js";
import { BACKENDS } from "../sim/estimator/kernel-model.js";
import type { CliIo } from "./io.js";
import type { SearchStatus } from "../results/frontier-file.js";
import { choiceArg, fractionArg, intArg, intListArg } from "./parse-args.js";

// Flag choices come from the schemas (and the estimator's backend list), never from copies here.
const TRACE_FORMATS = traceFormatSchema.enum;

/** Exit code of a search that finished with `status` (written results either way): 3 unless ok. */
export function exitCodeForStatus(status: SearchStatus): number {
  return status === "ok" ? 0 : 3;
}

/** Exit code of `verify`: 3 when a target is missed under some seed. */
export function exitCodeForVerdict(allHold: boolean): number {
  return allHold ? 0 : 3;
}

/** Commands that finish with a verdict rather than an error report their exit code here. */
interface ExitBox {
  code: number;
}

function buildProgram(io: CliIo, exit: ExitBox): Command {
  const program = new Command("hisim-tune")
    .description("Find the cheapest LLM-serving deployment that meets latency SLOs, by simulation on a CPU.")
    .version(toolVersions().hisimTune, "--version", "print the hisim-tune version")
    .exitOverride()
    // Root options (--json, --seed, --out) must not swallow the same flags of subcommands.
    .enablePositionalOptions()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError("(run with --help for usage)")
    .option("--slo <file>", "SLO spec to plan for (runs the three-stage search)")
    .option("--space <file>", "search space (default: the spec's searchSpace or search-spaces/default.json)")
    .option("--out <dir>", "results folder (default: results/<run-id>)")
    .option("--workers <n>", "worker threads (default: available cores)", intArg(1, 256))
    .option("--seed <n>", "random seed", intArg(0, 2 ** 31 - 1), 1)
    .option("--max-runs <n>", "cap on full simulations (a cut search exits 3 with a partial answer)", intArg(1))
    .option("--headroom <fraction>", "plan for demand x (1 + fraction), e.g. 0.2", fractionArg(0, 10), 0)
    .option("--confirm-seeds <n>", "seeds whose full workloads confirm every frontier point", intArg(1, 20), 3)
    .option("--exhaustive", "evaluate the full grid instead of the staged search")
    .option("--resume", "continue the run in --out, reusing its finished trials")
    .option("--prices <id|file>", 'price list: a bundled list (see "catalog prices") or a prices file (default: the bundled default list)')
    .option("--json", "print frontier.json to stdout")
    .option("--quiet", "no progress on stderr")
    .action(async (opts) => {
      if (!opts.slo) {
        program.outputHelp();
        return;
      }
      const { searchCommand } = await import("./commands/search.js");
      exit.code = exitCodeForStatus(await searchCommand(opts, io));
    });

  program
    .command("compare-gpus")
    .description("search once per GPU and rank the GPUs by the cost of their cheapest SLO-meeting deployment")
    .requiredOption("--slo <file>", "SLO spec")
    .option("--gpus <id,...>", "GPUs to compare (default: the search space's)")
    .option("--space <file>", "search space (default: the spec's searchSpace or search-spaces/default.json)")
    .option("--prices <id|file>", 'price list: a bundled list (see "catalog prices") or a prices file')
    .option("--out <dir>", "folder for the ranking (csv, md, svg) and each GPU's search (default: results/<run-id>)")
    .option("--workers <n>", "worker threads shared by every GPU's search (default: available cores)", intArg(1, 256))
    .option("--seed <n>", "random seed", intArg(0, 2 ** 31 - 1), 1)
    .option("--max-runs <n>", "cap on full simulations per GPU", intArg(1))
    .option("--json", "print the ranking as JSON")
    .option("--quiet", "no progress on stderr")
    .action(async (opts) => {
      const { compareGpusCommand } = await import("./commands/compare-gpus.js");
      exit.code = await compareGpusCommand(opts, io);
    });

  program
    .command("nightly")
    .description("nightly capacity report: every service of a plan at each demand scale, compared with the previous night")
    .requiredOption("--plan <file>", "nightly plan (services, demand scales, regression thresholds)")
    .option("--out <dir>", "the night's folder (default: results/nightly/<YYYY-MM-DD>-<plan>)")
    .option("--baseline <dir>", "the night to compare with (default: the newest earlier night of the plan beside the folder)")
    .option("--prices <id|file>", "price list (default: the plan's, else the bundled default list)")
    .option("--workers <n>", "worker threads shared by every service's search (default: available cores)", intArg(1, 256))
    .option("--json", "print report.json")
    .option("--quiet", "no progress on stderr")
    .addOption(new Option("--date <YYYY-MM-DD>", "the night's date (default: today, UTC); for backfills and tests").hideHelp())
    .action(async (opts) => {
      const { nightlyCommand } = await import("./commands/nightly.js");
      exit.code = await nightlyCommand(opts, io);
    });

  program
    .command("verify")
    .description("simulate one deployment on the SLO spec's full workload under several seeds and check every target (exit 3 on a miss)")
    .requiredOption("--slo <file>", "SLO spec (its workload, demand and targets)")
    .requiredOption("--deployment <file>", "deployment JSON, or a frontier.json (its recommended deployment)")
    .option("--seeds <n>", "seeds to run (101, 102, ...: none of them used by a default search)", intArg(1, 100), 5)
    .option("--first-seed <n>", "first seed (then +1 each)", intArg(0, 2 ** 31 - 1), 101)
    .option("--rate <rps>", "offered rate in req/s (default: the spec's demand)", fractionArg(1e-6, 1e9))
    .option("--workers <n>", "worker threads (default: available cores)", intArg(1, 256))
    .option("--prices <id|file>", "price list for the cost figures (default: the bundled default list)")
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { verifyCommand } = await import("./commands/verify.js");
      exit.code = exitCodeForVerdict(await verifyCommand(opts, io));
    });

  program
    .command("simulate")
    .description("simulate one deployment on one workload")
    .requiredOption("--deployment <file>", "deployment JSON")
    .requiredOption("--workload <file>", "workload JSON")
    .option("--seed <n>", "random seed", intArg(0, 2 ** 31 - 1), 1)
    .option("--json", "print the result as JSON")
    .option("--out <file>", "also write the JSON result to this file")
    .option("--prices <id|file>", "price list for the cost figures (default: the bundled default list)")
    .action(async (opts) => {
      const { simulateCommand } = await import("./commands/simulate.js");
      await simulateCommand(opts, io);
    });

  program
    .command("estimate")
    .description("latency of one forward step of a batch")
    .requiredOption("--model <id|config.json>", "model id, Hugging Face name or config.json")
    .requiredOption("--gpu <id>", "GPU id")
    .option("--tp <n>", "tensor parallelism", intArg(1, 64), 1)
    .addOption(new Option("--weights <dtype>", "weight dtype").choices(weightDtypeSchema.enum).default("bf16"))
    .addOption(new Option("--kv-dtype <dtype>", "KV cache dtype").choices(kvDtypeSchema.enum).default("bf16"))
    .addOption(new Option("--engine <kind>", "serving engine").choices(engineKindSchema.enum).default("sglang"))
    .addOption(new Option("--backend <kind>", "estimator backend").choices(BACKENDS).default("auto"))
    .requiredOption("--batch <list>", 'requests as cacheLen:inputLen[xN], comma-separated ("0:1024,4096:1x64"); each within the model\'s context, at most 100,000 requests')
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { estimateCommand } = await import("./commands/estimate.js");
      await estimateCommand(opts, io);
    });

  const trace = program.command("trace").description("inspect a request trace");
  trace
    .command("stats <file>")
    .description("count, span, rate, length percentiles, unbounded prefix hit rate")
    .option("--format <fmt>", "trace format", choiceArg(TRACE_FORMATS), "auto")
    .option("--json", "print JSON")
    .action(async (file, opts) => {
      const { traceStatsCommand } = await import("./commands/trace.js");
      await traceStatsCommand(file, opts, io);
    });
  trace
    .command("hit-curve <file>")
    .description("prefix-cache hit rate at every capacity, in one pass (stack distance)")
    .requiredOption("--capacities <tokens>", "comma-separated capacities in tokens (0 = unbounded)", intListArg)
    .option("--block-size <n>", "tokens per block (default: the trace's)", intArg(1))
    .option("--policy <p>", "eviction policy", choiceArg(evictionPolicySchema.enum), "lru")
    .option("--format <fmt>", "trace format", choiceArg(TRACE_FORMATS), "auto")
    .option("--json", "print JSON")
    .action(async (file, opts) => {
      const { traceHitCurveCommand } = await import("./commands/trace.js");
      await traceHitCurveCommand(file, opts, io);
    });

  const validate = program.command("validate").description("check inputs and the simulator against measurements");
  validate
    .command("estimator")
    .description("predict every row of a measured kernel table and report the error")
    .requiredOption("--measured <csv>", "AIConfigurator-format kernel table")
    .requiredOption("--gpu <id>", "GPU the table was measured on")
    .addOption(new Option("--backend <kind>", "estimator backend").choices(BACKENDS).default("auto"))
    .option("--json", "print JSON")
    .action(async (opts) => {
      const { validateEstimatorCommand } = await import("./commands/validate-estimator.js");
      await validateEstimatorCommand(opts, io);
    });
  validate
    .command("e2e")
    .description("simulate measured end-to-end benchmark rows and report the error")
    .requiredOption("--measured <csv>", "measured rows (AIConfigurator silicon CSV format)")
    .option("--json", "print JSON")
    .option("--details", "with --json, include per-row results")
    .option("--leave-one-campaign-out", "fit the engine constants on every campaign but one and report the held-out error of each (slow: about 4 min for the 579-row H100 file on 2 cores)")
    .option("--fit-rows <n>", "with --leave-one-campaign-out, rows per campaign each fit uses at most", "16")
    .action(async (opts) => {
      const { validateE2eCommand } = await import("./commands/validate-e2e.js");
      await validateE2eCommand(opts, io);
    });
  validate
    .command("config <file>")
    .description("check any input file (SLO spec, search space, deployment, workload, price list, catalog entry, frontier.json); its $schema names the kind")
    .action(async (file) => {
      const { validateConfigCommand } = await import("./commands/validate-config.js");
      await validateConfigCommand(file, io);
    });

  program
    .command("catalog [what]")
    .description("list bundled models, GPUs, KV media and price lists (what: models | gpus | media | prices)")
    .option("--json", "print JSON")
    .action(async (what, opts) => {
      const { catalogCommand } = await import("./commands/catalog.js");
      await catalogCommand(what, opts, io);
    });

  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const exit: ExitBox = { code: 0 };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync(argv, { from: "user" });
    return exit.code;
  } catch (e) {
    return exitCodeFor(e, io);
  }
}

function exitCodeFor(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // Help and version are not errors; commander already printed its message.
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
    return 2;
  }
  if (e instanceof InputError) {
    io.err(`hisim-tune: invalid input\n${e.issues.map((i) => `  ${formatIssue(i)}`).join("\n")}\n`);
    return 2;
  }
  if (e instanceof HisimError) {
    io.err(`hisim-tune: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e as Error;
  io.err(
    `hisim-tune: internal error: ${err?.message ?? String(e)}\n` +
      (process.env.HISIM_DEBUG ? `${err?.stack ?? ""}\n` : "  (set HISIM_DEBUG=1 for a stack trace; please report this as a bug)\n"),
  );
  return 1;
}
