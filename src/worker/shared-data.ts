/**
 * Moves the typed arrays of a plain-data object into SharedArrayBuffers, so every worker thread
 * sees the same memory instead of a structured-clone copy each. Workers must treat it as read-only.
 */

type Typed =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

function isTyped(v: unknown): v is Typed {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function shareArray(a: Typed): Typed {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buf: SharedArrayBuffer) => Typed;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** A copy of `value` whose typed arrays live in SharedArrayBuffers (plain objects and arrays walked). */
export function toSharedMemory<T>(value: T): T {
  if (isTyped(value)) return shareArray(value) as T;
  if (Array.isArray(value)) return value.map((v) => toSharedMemory(v)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toSharedMemory(v);
    return out as T;
  }
  return value;
}
