/**
 * Accumulates streamed trace records into growable typed arrays and produces a `RequestTable`.
 * Trace readers call `begin` / `pushRawHash` / `end` once per record, so memory is a few typed-array
 * entries per request and one int per block, never an object per request.
 */
import { InvariantError } from "../../errors.js";
import { GrowableFloat64, GrowableInt32 } from "./growable.js";
import { PairInterner } from "./pair-interner.js";
import type { RequestTable } from "./request-table.js";

export class TraceTableBuilder {
  readonly blockSize: number;
  private readonly arrival: GrowableFloat64;
  private readonly input: GrowableInt32;
  private readonly output: GrowableInt32;
  private readonly session: GrowableInt32;
  private readonly hashStart: GrowableInt32;
  private readonly hashIds: GrowableInt32;
  private readonly ids: PairInterner;
  private sorted = true;
  private lastArrival = -Infinity;
  private open = false;
  private parent = -1;
  private blocksLeft = 0;

  /** @param blockSize tokens per hash block of this trace */
  constructor(blockSize: number, expectedRequests = 1024) {
    this.blockSize = blockSize;
    this.arrival = new GrowableFloat64(expectedRequests);
    this.input = new GrowableInt32(expectedRequests);
    this.output = new GrowableInt32(expectedRequests);
    this.session = new GrowableInt32(expectedRequests);
    this.hashStart = new GrowableInt32(expectedRequests + 1);
    this.hashStart.push(0);
    this.hashIds = new GrowableInt32(expectedRequests * 8);
    this.ids = new PairInterner(expectedRequests * 8);
  }

  /** Requests added so far. */
  get count(): number {
    return this.input.length;
  }

  /**
   * Starts a request. `arrivalUs` may have any origin (shifted to the first request at `finish`).
   * @param sessionId dense session id, or -1 when unknown
   */
  begin(arrivalUs: number, inputTokens: number, outputTokens: number, sessionId = -1): void {
    if (this.open) throw new InvariantError("TraceTableBuilder.begin before end");
    this.open = true;
    if (arrivalUs < this.lastArrival) this.sorted = false;
    this.lastArrival = arrivalUs;
    this.arrival.push(arrivalUs);
    this.input.push(inputTokens);
    this.output.push(outputTokens);
    this.session.push(sessionId);
    this.parent = -1;
    this.blocksLeft = Math.ceil(inputTokens / this.blockSize);
  }

  /**
   * Appends the next prompt block by its raw (per-block or already chained) hash; the stored id is
   * chained on the previous block. Hashes beyond `ceil(inputTokens / blockSize)` are ignored.
   */
  pushRawHash(raw: number): void {
    if (this.blocksLeft === 0) return;
    this.blocksLeft--;
    this.parent = this.ids.intern(this.parent, raw);
    this.hashIds.push(this.parent);
  }

  /** Ends the request; prompt blocks without a hash get ids nothing else shares. */
  end(): void {
    if (!this.open) throw new InvariantError("TraceTableBuilder.end without begin");
    this.open = false;
    for (; this.blocksLeft > 0; this.blocksLeft--) this.hashIds.push(this.ids.unique());
    this.hashStart.push(this.hashIds.length);
  }

  /**
   * The finished table: sorted by arrival (stable: equal times keep file order) when the records
   * were not, the first arrival at 0, times multiplied by `timeScale`.
   */
  finish(timeScale = 1): RequestTable {
    if (this.open) throw new InvariantError("TraceTableBuilder.finish with a request open");
    const n = this.count;
    const raw = this.arrival.data;
    let order: Int32Array | undefined;
    if (!this.sorted) {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => raw[a] - raw[b] || a - b);
    }
    const at = (i: number): number => (order ? order[i] : i);
    const t0 = n > 0 ? raw[at(0)] : 0;
    const arrivalUs = new Float64Array(n);
    for (let i = 0; i < n; i++) arrivalUs[i] = (raw[at(i)] - t0) * timeScale;
    let table: RequestTable;
    if (!order) {
      table = {
        count: n,
        blockSize: this.blockSize,
        arrivalUs,
        after: new Int32Array(n).fill(-1),
        afterDelayUs: new Float64Array(n),
        inputTokens: this.input.toArray(),
        outputTokens: this.output.toArray(),
        hashStart: this.hashStart.toArray(),
        hashIds: this.hashIds.toArray(),
        sessionId: this.session.toArray(),
      };
    } else {
      const inputTokens = new Int32Array(n);
      const outputTokens = new Int32Array(n);
      const sessionId = new Int32Array(n);
      const hashStart = new Int32Array(n + 1);
      const hashIds = new Int32Array(this.hashIds.length);
      const srcStart = this.hashStart.data;
      const srcIds = this.hashIds.data;
      let w = 0;
      for (let i = 0; i < n; i++) {
        const j = order[i];
        inputTokens[i] = this.input.data[j];
        outputTokens[i] = this.output.data[j];
        sessionId[i] = this.session.data[j];
        hashStart[i] = w;
        hashIds.set(srcIds.subarray(srcStart[j], srcStart[j + 1]), w);
        w += srcStart[j + 1] - srcStart[j];
      }
      hashStart[n] = w;
      table = {
        count: n, blockSize: this.blockSize, arrivalUs,
        after: new Int32Array(n).fill(-1), afterDelayUs: new Float64Array(n),
        inputTokens, outputTokens, hashStart, hashIds, sessionId,
      };
    }
    return table;
  }
}
