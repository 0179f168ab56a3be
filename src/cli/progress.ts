/**
 * Progress on stderr: stage name, runs done / total, elapsed time and ETA. On a terminal it redraws
 * one line (at most every `redrawMs`); otherwise (CI logs, files) it prints a line when the stage
 * starts, every `intervalMs` and at every `stepFraction` of the stage, and when it ends. Silent
 * when quiet. The clock is injected so tests can drive it.
 */
import type { CliIo } from "./io.js";
import { fmtDuration } from "../report/format.js";

export interface ProgressOptions {
  quiet?: boolean;
  /** Milliseconds clock. @default performance.now */
  now?: () => number;
  /** Non-terminal: longest gap between lines, ms. @default 5000 */
  intervalMs?: number;
  /** Non-terminal: also print at each multiple of this fraction done. @default 0.1 */
  stepFraction?: number;
  /** Terminal: shortest gap between redraws, ms. @default 100 */
  redrawMs?: number;
}

export class ProgressReporter {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly stepFraction: number;
  private readonly redrawMs: number;
  private stage = "";
  private total = 0;
  private done = 0;
  private startMs = 0;
  private lastPrintMs = -Infinity;
  private lastStep = 0;
  /** A terminal line is drawn and not yet ended with a newline. */
  private lineOpen = false;

  constructor(private readonly io: Pick<CliIo, "err" | "errIsTty">, private readonly opts: ProgressOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.intervalMs = opts.intervalMs ?? 5000;
    this.stepFraction = opts.stepFraction ?? 0.1;
    this.redrawMs = opts.redrawMs ?? 100;
  }

  /** Begins a stage, e.g. `startStage("stage 2/3 routing co-evaluation", 120)`. */
  startStage(name: string, total: number): void {
    this.endLine();
    this.stage = name;
    this.total = Math.max(0, total);
    this.done = 0;
    this.startMs = this.now();
    this.lastStep = 0;
    this.lastPrintMs = -Infinity;
    this.emit(true);
  }

  /**
   * A tick for a job that counts its simulations without knowing how many (compare-gpus, nightly):
   * the first tick begins stage `name` with no total, so nothing prints before the first simulation
   * (input errors come before any); `finishStage()` ends it, and does nothing when none ran.
   */
  counter(name: string): () => void {
    let started = false;
    return () => {
      if (!started) this.startStage(name, 0);
      started = true;
      this.tick();
    };
  }

  /** Adjusts the stage's total (binary searches learn theirs as they go). */
  setTotal(total: number): void {
    this.total = Math.max(0, total);
    this.emit(false);
  }

  /** Counts `n` finished runs. */
  tick(n = 1): void {
    this.done += n;
    this.emit(false);
  }

  /** Ends the stage with a final line ("... 120/120 runs in 31 s"). */
  finishStage(): void {
    if (this.opts.quiet || this.stage === "") return;
    const elapsedS = (this.now() - this.startMs) / 1000;
    this.write(`${this.stage}: ${this.done}${this.total > 0 ? `/${this.total}` : ""} runs in ${fmtDuration(elapsedS)}`, true);
    this.endLine();
    this.stage = "";
  }

  /** Prints a message on its own line without breaking a redrawn progress line. */
  log(message: string): void {
    if (this.opts.quiet) return;
    this.endLine();
    this.io.err(`${message}\n`);
  }

  /** The current progress line (for tests and custom displays). */
  line(): string {
    const elapsedS = (this.now() - this.startMs) / 1000;
    // A stage of unknown size (several searches at once): a count, no percentage or ETA.
    if (this.total === 0) return `${this.stage}: ${this.done} runs, ${fmtDuration(elapsedS)} elapsed`;
    const total = Math.max(this.total, this.done);
    const pct = total > 0 ? ` (${Math.floor((100 * this.done) / total)}%)` : "";
    let eta = "ETA --";
    if (this.done > 0 && elapsedS > 0 && total > this.done) eta = `ETA ${fmtDuration(((total - this.done) * elapsedS) / this.done)}`;
    else if (total > 0 && this.done >= total) eta = "done";
    return `${this.stage}: ${this.done}/${total} runs${pct}, ${fmtDuration(elapsedS)} elapsed, ${eta}`;
  }

  private emit(force: boolean): void {
    if (this.opts.quiet || this.stage === "") return;
    const t = this.now();
    if (this.io.errIsTty) {
      if (force || t - this.lastPrintMs >= this.redrawMs) {
        this.lastPrintMs = t;
        this.write(this.line(), false);
      }
      return;
    }
    const step = this.total > 0 && this.stepFraction > 0 ? Math.floor(this.done / this.total / this.stepFraction) : 0;
    if (force || t - this.lastPrintMs >= this.intervalMs || step > this.lastStep) {
      this.lastPrintMs = t;
      this.lastStep = Math.max(this.lastStep, step);
      this.write(this.line(), false);
    }
  }

  private write(text: string, final: boolean): void {
    if (this.io.errIsTty) {
      // \r + erase line: redraw in place; the newline comes with the next non-progress output.
      this.io.err(`\r\x1b[2K${text}`);
      this.lineOpen = true;
      if (final) this.endLine();
    } else {
      this.io.err(`${text}\n`);
    }
  }

  private endLine(): void {
    if (this.lineOpen) {
      this.io.err("\n");
      this.lineOpen = false;
    }
  }
}
