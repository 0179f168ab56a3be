/**
 * Number and deployment formatting shared by the reports. Locale-independent (no toLocaleString),
 * so the same inputs give byte-identical reports everywhere.
 */
import type { Deployment } from "../config/types.js";

/** Milliseconds: 2 decimals below 10, 1 below 100, none above. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** US dollars with cents, or 3 decimals below $1 (per-token prices). */
export function fmtUsd(usd: number): string {
  if (!Number.isFinite(usd)) return "-";
  return Math.abs(usd) < 1 ? `$${usd.toFixed(3)}` : `$${usd.toFixed(2)}`;
}

/** Requests per second, 1 decimal (2 below 10). */
export function fmtRps(rps: number): string {
  if (!Number.isFinite(rps)) return "-";
  return rps < 10 ? rps.toFixed(2) : rps.toFixed(1);
}

/** A fraction as a percentage with `digits` decimals: 0.412 -> "41.2%". */
export function fmtPct(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return "-";
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Seconds as "0.4 s", "12 s", "3m 05s", "1h 02m". */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "-";
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${m}m ${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
  }
  const h = Math.floor(s / 3600);
  return `${h}h ${String(Math.floor((s - h * 3600) / 60)).padStart(2, "0")}m`;
}

/** Gigabytes as "256 GB" or "4 TB" (binary-free: 1 TB = 1000 GB, as catalogs price them). */
export function fmtGb(gb: number): string {
  if (gb >= 1000 && gb % 1000 === 0) return `${gb / 1000} TB`;
  return `${Number.isInteger(gb) ? gb : gb.toFixed(1)} GB`;
}

/** The percentile label of a target: 99 -> "p99", 99.9 -> "p99.9". */
export function pLabel(percentile: number): string {
  return `p${percentile}`;
}

/** "bf16" or "fp8 w / fp8 kv" style: weights and KV dtypes. */
export function fmtDtypes(d: Deployment): string {
  return `${d.weights}/${d.kvDtype}`;
}

/** Engine with its batch limit and chunk size when set: "sglang b128 c8192". */
export function fmtEngine(d: Deployment): string {
  const parts: string[] = [d.engine.kind];
  if (d.engine.maxRunningRequests !== undefined) parts.push(`b${d.engine.maxRunningRequests}`);
  if (d.engine.chunkedPrefillSize !== undefined) parts.push(`c${d.engine.chunkedPrefillSize}`);
  return parts.join(" ");
}

/** KV tiers beyond HBM: "L2 256 GB + L3 nvme 4 TB", or "HBM only". */
export function fmtTiers(d: Deployment): string {
  const parts: string[] = [];
  if (d.kvCache.l2) parts.push(`L2 ${fmtGb(d.kvCache.l2.capacityGb)}`);
  if (d.kvCache.l3) parts.push(`L3 ${d.kvCache.l3.media} ${fmtGb(d.kvCache.l3.capacityGb)}`);
  if (parts.length === 0) return "HBM only";
  const policies = `${d.kvCache.evictionPolicy}${d.kvCache.l3 ? `, ${d.kvCache.prefetchPolicy}` : ""}, ${d.kvCache.writePolicy}`;
  return `${parts.join(" + ")} (${policies})`;
}

/** KV tiers without policies: "L2 256 GB + L3 nvme 4 TB", or "-" for HBM only. */
export function fmtTiersShort(d: Deployment): string {
  const parts: string[] = [];
  if (d.kvCache.l2) parts.push(`L2 ${fmtGb(d.kvCache.l2.capacityGb)}`);
  if (d.kvCache.l3) parts.push(`L3 ${d.kvCache.l3.media} ${fmtGb(d.kvCache.l3.capacityGb)}`);
  return parts.length > 0 ? parts.join(" + ") : "-";
}

/** One line: "4 x h100_sxm tp2 · bf16/bf16 · sglang b128 c8192 · cache_aware · L2 256 GB (...)". */
export function describeDeployment(d: Deployment): string {
  return [
    `${d.replicas} x ${d.gpu} tp${d.tp}`,
    fmtDtypes(d),
    fmtEngine(d),
    d.router.policy,
    fmtTiers(d),
  ].join(" · ");
}
