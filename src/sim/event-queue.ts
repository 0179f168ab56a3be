/**
 * The simulator's single event queue: a binary min-heap ordered by `(timeUs, rank, seq)`.
 * `rank` breaks ties between kinds of events at the same instant (table below); `seq` is the
 * insertion counter, so equal (time, rank) pairs pop in insertion order. This is the one
 * comparator of the simulation; nothing else decides event order.
 */

/**
 * Order of event kinds at equal time. Completions and transfers land before new work is decided,
 * arrivals are routed before replicas schedule, and periodic housekeeping runs last.
 */
export const EventRank = {
  /** A forward step finished on a replica (tokens emitted, requests may finish). */
  stepDone: 0,
  /** A KV transfer (L3->L2 prefetch chunk, L2/L3 write) finished. */
  ioDone: 1,
  /** A request arrives at the router. */
  arrival: 2,
  /** A replica should try to start its next step. */
  schedule: 3,
  /** Router load polls, bucket re-cuts, tree eviction. */
  periodic: 4,
} as const;

export type EventRankValue = (typeof EventRank)[keyof typeof EventRank];

/**
 * Heap of events stored in parallel typed arrays (no per-event objects). Each event carries a
 * kind-specific integer `target` and `payload` the caller interprets.
 */
export class EventQueue {
  private time = new Float64Array(1024);
  private key = new Float64Array(1024); // rank * 2^40 + seq: exact in a double for seq < 2^40
  private target = new Int32Array(1024);
  private payload = new Int32Array(1024);
  private kind = new Uint8Array(1024);
  private n = 0;
  private seq = 0;

  get size(): number {
    return this.n;
  }

  /** Schedules an event; `kind` is the caller's event type, `rank` its tie-break class. */
  push(timeUs: number, rank: EventRankValue, kind: number, target: number, payload = 0): void {
    if (this.n === this.time.length) this.grow();
    const k = rank * 1099511627776 + this.seq++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.time[p] < timeUs || (this.time[p] === timeUs && this.key[p] < k)) break;
      this.move(p, i);
      i = p;
    }
    this.time[i] = timeUs;
    this.key[i] = k;
    this.kind[i] = kind;
    this.target[i] = target;
    this.payload[i] = payload;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0] : Infinity;
  }

  /** Pops the earliest event into `out` and returns true, or false when empty. */
  pop(out: PoppedEvent): boolean {
    if (this.n === 0) return false;
    out.timeUs = this.time[0];
    out.rank = Math.floor(this.key[0] / 1099511627776);
    out.kind = this.kind[0];
    out.target = this.target[0];
    out.payload = this.payload[0];
    const last = --this.n;
    if (last > 0) {
      const t = this.time[last];
      const k = this.key[last];
      const kd = this.kind[last];
      const tg = this.target[last];
      const pl = this.payload[last];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && this.less(r, l) ? r : l;
        if (t < this.time[c] || (t === this.time[c] && k < this.key[c])) break;
        this.move(c, i);
        i = c;
      }
      this.time[i] = t;
      this.key[i] = k;
      this.kind[i] = kd;
      this.target[i] = tg;
      this.payload[i] = pl;
    }
    return true;
  }

  private less(a: number, b: number): boolean {
    return this.time[a] < this.time[b] || (this.time[a] === this.time[b] && this.key[a] < this.key[b]);
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.key[to] = this.key[from];
    this.kind[to] = this.kind[from];
    this.target[to] = this.target[from];
    this.payload[to] = this.payload[from];
  }

  private grow(): void {
    const n = this.time.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.time = g(this.time, Float64Array);
    this.key = g(this.key, Float64Array);
    this.target = g(this.target, Int32Array);
    this.payload = g(this.payload, Int32Array);
    this.kind = g(this.kind, Uint8Array);
  }
}

/** Reusable out-parameter for EventQueue.pop. */
export interface PoppedEvent {
  timeUs: number;
  rank: number;
  kind: number;
  target: number;
  payload: number;
}

export function newPoppedEvent(): PoppedEvent {
  return { timeUs: 0, rank: 0, kind: 0, target: 0, payload: 0 };
}
