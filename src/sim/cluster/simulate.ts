/**
 * The cluster simulation: N identical replicas behind one global router, one clock, one event queue.
 * Open-loop arrivals are fed from a sorted cursor (one pending arrival event at a time) and
 * dependent requests (session turns, closed-loop clients) are released when their predecessor
 * completes, so the queue holds O(requests in flight) events.
 */
import { InvariantError } from "../../errors.js";
import { L3Store } from "../cache/l3-store.js";
import { TransferChannel, gbpsToBytesPerUs } from "../cache/transfer-channel.js";
import type { ResolvedDeployment } from "../deployment/resolve.js";
import { Replica, type ReplicaHost, type ReplicaTiers } from "../engine/replica.js";
import { loadRow, ReqPool, type Req } from "../engine/request.js";
import type { StepEstimator } from "../estimator/types.js";
import { EventQueue, EventRank, newPoppedEvent } from "../event-queue.js";
import type { RouteRequest, Router } from "../router/types.js";
import { LogHistogram } from "../metrics/log-histogram.js";
import type { RequestTable } from "../workload/request-table.js";
import { summarize, type SimulationResult } from "./summary.js";

const EV_ARRIVAL = 1;
const EV_STEP = 2;
const EV_WAKE = 3;
const EV_IO = 4;
const EV_POLL = 5;
const EV_HOUSEKEEPING = 6;

export interface SimulationInput {
  dep: ResolvedDeployment;
  table: RequestTable;
  /** One estimator for every replica (same deployment), so its memo is shared. */
  estimator: StepEstimator;
  /** Global router; omitted for a single replica. */
  router?: Router;
  /** Router load-poll interval (power_of_two's LoadMonitor), seconds. */
  loadPollIntervalS?: number;
  /** Check KV invariants every this many events (tests); 0 = never. */
  checkInvariantsEvery?: number;
  /** Sees each request's milestones; the simulation stops after the event in which it says so. */
  watch?: SimulationWatch;
}

/**
 * Follows requests as they reach their first token, finish or are rejected. A hook returning true
 * stops the simulation once the current event is handled (the caller knows its verdict already);
 * the result then says `stoppedEarly` and covers only what happened until then.
 */
export interface SimulationWatch {
  onFirstToken(idx: number, arrivalUs: number, firstTokenUs: number): boolean;
  onFinish(idx: number, arrivalUs: number, firstTokenUs: number, finishUs: number): boolean;
  onReject(idx: number): boolean;
}

/** Per-request outcomes, indexed by request; NaN for requests that never finished. */
export interface RequestOutcomes {
  arrivalUs: Float64Array;
  firstTokenUs: Float64Array;
  finishUs: Float64Array;
  replica: Int32Array;
  /** Prefix-hit tokens per tier at admission. */
  hitL1: Int32Array;
  hitL2: Int32Array;
  hitL3: Int32Array;
  /** Tokens each request emitted (equals its output length when it finished). */
  emittedTokens: Int32Array;
}

/** Runs the simulation to completion. Pure: the same input gives the same result. */
export function simulate(input: SimulationInput): SimulationResult {
  const { dep, table, estimator } = input;
  const n = table.count;
  const R = dep.replicas;
  if (R > 1 && !input.router) throw new InvariantError("a cluster of several replicas needs a router");
  const queue = new EventQueue();
  const pool = new ReqPool();
  const out: RequestOutcomes = {
    arrivalUs: new Float64Array(n).fill(NaN),
    firstTokenUs: new Float64Array(n).fill(NaN),
    finishUs: new Float64Array(n).fill(NaN),
    replica: new Int32Array(n).fill(-1),
    hitL1: new Int32Array(n),
    hitL2: new Int32Array(n),
    hitL3: new Int32Array(n),
    emittedTokens: new Int32Array(n),
  };
  const itl = new LogHistogram();
  let rejected = 0;
  let pendingArrivals = 0;
  /** Step, wake and I/O events queued: with none (and no arrival) left, no replica can progress. */
  let pendingReplicaEvents = 0;
  const watch = input.watch;
  let stop = false;

  // Dependents: requests released by another's completion.
  const firstFollower = new Int32Array(n).fill(-1);
  const nextFollower = new Int32Array(n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const p = table.after[i];
    if (p >= 0) {
      nextFollower[i] = firstFollower[p];
      firstFollower[p] = i;
    }
  }
  // Open-loop arrivals in (time, index) order.
  let openCount = 0;
  for (let i = 0; i < n; i++) if (table.after[i] < 0) openCount++;
  const open = new Int32Array(openCount);
  for (let i = 0, k = 0; i < n; i++) if (table.after[i] < 0) open[k++] = i;
  const sortedOpen = Array.from(open).sort((a, b) => table.arrivalUs[a] - table.arrivalUs[b] || a - b);
  let cursor = 0;
  const pushNextOpen = (): void => {
    if (cursor < sortedOpen.length) {
      const i = sortedOpen[cursor++];
      // A NaN or infinite time would never be ordered, and its request never served.
      if (!Number.isFinite(table.arrivalUs[i])) throw new InvariantError(`request ${i} arrives at ${table.arrivalUs[i]} us; every arrival time must be finite`);
      queue.push(table.arrivalUs[i], EventRank.arrival, EV_ARRIVAL, i, 1);
      pendingArrivals++;
    }
  };

  // Tiers: L2 channels per replica; L3 store and channels per replica or shared.
  const kv = dep.kvCache;
  let sharedL3: ReplicaTiers | undefined;
  const l3BlockBytes = table.blockSize * dep.kvBytesPerTokenPerReplica;
  const makeL3 = (): ReplicaTiers => {
    const l3 = kv.l3!;
    return {
      l3: new L3Store(Math.floor((l3.capacityGb * 1e9) / l3BlockBytes)),
      l3Read: new TransferChannel(gbpsToBytesPerUs(l3.readGBps), l3.latencyUs),
      l3Write: new TransferChannel(gbpsToBytesPerUs(l3.writeGBps), l3.latencyUs),
    };
  };
  if (kv.l3 && kv.l3.shared) sharedL3 = makeL3();

  const host: ReplicaHost = {
    scheduleStepDone: (r, at) => {
      pendingReplicaEvents++;
      queue.push(at, EventRank.stepDone, EV_STEP, r);
    },
    scheduleWake: (r, at) => {
      pendingReplicaEvents++;
      queue.push(at, EventRank.schedule, EV_WAKE, r);
    },
    scheduleIo: (r, at, op) => {
      pendingReplicaEvents++;
      queue.push(at, EventRank.ioDone, EV_IO, r, op);
    },
    onFirstToken: (req: Req, t: number) => {
      out.firstTokenUs[req.idx] = t;
      if (watch?.onFirstToken(req.idx, out.arrivalUs[req.idx], t)) stop = true;
    },
    onInterToken: (gapUs: number) => itl.add(gapUs),
    onFinish: (req: Req, t: number) => {
      if (!Number.isNaN(out.finishUs[req.idx])) throw new InvariantError(`request ${req.idx} finished twice`);
      if (req.out !== req.outputTokens) throw new InvariantError(`request ${req.idx} finished with ${req.out} of ${req.outputTokens} tokens`);
      out.finishUs[req.idx] = t;
      out.emittedTokens[req.idx] = req.out;
      out.hitL1[req.idx] = req.hitL1;
      out.hitL2[req.idx] = req.hitL2;
      out.hitL3[req.idx] = req.hitL3;
      if (watch?.onFinish(req.idx, out.arrivalUs[req.idx], out.firstTokenUs[req.idx], t)) stop = true;
      input.router?.onComplete(out.replica[req.idx], t);
      release(req.idx, t);
    },
    onReject: (req: Req, t: number) => {
      rejected++;
      if (watch?.onReject(req.idx)) stop = true;
      input.router?.onComplete(out.replica[req.idx], t);
      release(req.idx, t);
    },
  };

  const replicas: Replica[] = [];
  for (let r = 0; r < R; r++) {
    let tiers: ReplicaTiers = {};
    if (kv.l2) {
      tiers.l2Read = new TransferChannel(gbpsToBytesPerUs(kv.l2.readGBps), kv.l2.latencyUs);
      tiers.l2Write = new TransferChannel(gbpsToBytesPerUs(kv.l2.writeGBps), kv.l2.latencyUs);
    }
    if (kv.l3) tiers = { ...tiers, ...(sharedL3 ?? makeL3()) };
    replicas.push(new Replica(r, dep, table, estimator, host, pool, tiers));
  }

  // A serial benchmark client starts released requests one after another (closed-loop.ts).
  let clientFreeUs = 0;
  function release(idx: number, t: number): void {
    for (let f = firstFollower[idx]; f >= 0; f = nextFollower[f]) {
      let at = t + table.afterDelayUs[f];
      if (table.serialClient) at = clientFreeUs = Math.max(t, clientFreeUs) + table.afterDelayUs[f];
      queue.push(at, EventRank.arrival, EV_ARRIVAL, f, 0);
      pendingArrivals++;
    }
  }

  const rr: RouteRequest = { index: 0, inputTokens: 0, blockSize: table.blockSize, hashIds: table.hashIds, hashStart: 0, hashEnd: 0 };
  const arrive = (i: number, t: number): void => {
    const req = pool.take();
    const promptBlocks = loadRow(req, table, i, t);
    out.arrivalUs[i] = t;
    let target = 0;
    if (input.router) {
      rr.index = i;
      rr.inputTokens = req.inputTokens;
      rr.hashStart = req.hashStart;
      rr.hashEnd = req.hashStart + promptBlocks;
      target = input.router.route(rr, t);
      if (target < 0 || target >= R) throw new InvariantError(`router returned replica ${target} of ${R}`);
    }
    out.replica[i] = target;
    replicas[target].arrive(req, t);
  };

  pushNextOpen();
  const pollUs = (input.loadPollIntervalS ?? 10) * 1e6;
  // Periodic router events parked while the cluster is idle (no request in flight, no replica event
  // pending): nothing they read changes until the next arrival, so a long gap (sparse arrivals, long
  // think times, a trace with distant timestamps) costs no events. At the next arrival the parked
  // calls are replayed with the same arguments (up to MAX_REPLAY, then the rest is skipped: every
  // further call repeats the last one on the same idle state) and the stream goes on from there.
  let pollParkedUs = NaN;
  let hkParkedUs = NaN;
  const MAX_REPLAY = 100_000;
  const idle = (): boolean => pool.live === 0 && pendingReplicaEvents === 0;
  const unpark = (nowUs: number): void => {
    if (!Number.isNaN(pollParkedUs)) {
      let t = pollParkedUs;
      for (let n = 0; t < nowUs; n++) {
        if (n >= MAX_REPLAY) {
          t += Math.ceil((nowUs - t) / pollUs) * pollUs;
          break;
        }
        for (let r = 0; r < R; r++) loads[r] = replicas[r].loadTokens();
        input.router!.onLoadPoll(loads, t);
        t += pollUs;
      }
      queue.push(t, EventRank.periodic, EV_POLL, 0);
      pollParkedUs = NaN;
    }
    if (!Number.isNaN(hkParkedUs)) {
      let t = hkParkedUs;
      for (let n = 0; t < nowUs && Number.isFinite(t); n++) {
        const next = input.router!.housekeeping(n < MAX_REPLAY ? t : Math.max(t, nowUs - 1));
        t = Number.isFinite(next) ? Math.max(next, t + 1) : next;
      }
      if (Number.isFinite(t)) queue.push(t, EventRank.periodic, EV_HOUSEKEEPING, 0);
      hkParkedUs = NaN;
    }
  };
  if (input.router && R > 1) {
    queue.push(pollUs, EventRank.periodic, EV_POLL, 0);
    const h = input.router.housekeeping(0);
    if (Number.isFinite(h)) queue.push(h, EventRank.periodic, EV_HOUSEKEEPING, 0);
  }
  const loads = new Float64Array(R);
  const ev = newPoppedEvent();
  const checkEvery = input.checkInvariantsEvery ?? 0;
  let events = 0;
  let lastUs = 0;
  while (!stop && queue.pop(ev)) {
    events++;
    lastUs = ev.timeUs;
    switch (ev.kind) {
      case EV_ARRIVAL:
        unpark(ev.timeUs);
        pendingArrivals--;
        if (ev.payload === 1) pushNextOpen();
        arrive(ev.target, ev.timeUs);
        break;
      case EV_STEP:
        pendingReplicaEvents--;
        replicas[ev.target].onStepDone(ev.timeUs);
        break;
      case EV_WAKE:
        pendingReplicaEvents--;
        replicas[ev.target].onWake(ev.timeUs);
        break;
      case EV_IO:
        pendingReplicaEvents--;
        replicas[ev.target].onIoDone(ev.payload, ev.timeUs);
        break;
      case EV_POLL:
        checkProgress(ev.timeUs);
        for (let r = 0; r < R; r++) loads[r] = replicas[r].loadTokens();
        input.router!.onLoadPoll(loads, ev.timeUs);
        if (outstandingWork()) {
          if (idle()) pollParkedUs = ev.timeUs + pollUs;
          else queue.push(ev.timeUs + pollUs, EventRank.periodic, EV_POLL, 0);
        }
        break;
      case EV_HOUSEKEEPING: {
        checkProgress(ev.timeUs);
        const next = input.router!.housekeeping(ev.timeUs);
        if (Number.isFinite(next) && outstandingWork()) {
          if (idle()) hkParkedUs = Math.max(next, ev.timeUs + 1);
          else queue.push(Math.max(next, ev.timeUs + 1), EventRank.periodic, EV_HOUSEKEEPING, 0);
        }
        break;
      }
    }
    if (checkEvery > 0 && events % checkEvery === 0) for (const r of replicas) r.checkInvariants();
  }
  if (checkEvery > 0 && !stop) for (const r of replicas) r.checkInvariants();
  // Nothing left to happen but requests still in flight: they can never be served (a stalled
  // scheduler). Input rules reject the configurations known to cause it (a page larger than the
  // prefill chunk), so this is a bug; never let it pass as a result over the requests that finished.
  if (!stop && pool.live > 0) {
    throw new InvariantError(`no progress at ${(lastUs / 1e6).toFixed(3)} s: ${pool.live} requests in flight and no event left; they could never be served`);
  }

  /** Periodic events alone cannot move requests: in flight with nothing else queued is a deadlock. */
  function checkProgress(nowUs: number): void {
    if (pool.live > 0 && pendingReplicaEvents === 0 && pendingArrivals === 0) {
      throw new InvariantError(`no progress at ${(nowUs / 1e6).toFixed(3)} s: ${pool.live} requests in flight, no replica event pending`);
    }
  }

  function outstandingWork(): boolean {
    // Periodic events keep going only while requests are still to arrive or in flight.
    return pool.live > 0 || pendingArrivals > 0 || cursor < sortedOpen.length;
  }

  return { ...summarize({ dep, table, out, itl, replicas, rejected, lastUs, peakInFlight: pool.peakLive, events }), stoppedEarly: stop };
}
