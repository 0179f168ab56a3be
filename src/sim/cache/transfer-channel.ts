/**
 * A one-direction link (PCIe H2D/D2H, storage read/write) serving transfers first come, first served,
 * like HiCache's single IO thread per direction. Concurrent transfers queue behind each other, so
 * a shared storage pool slows everyone down as it fills up.
 */
export class TransferChannel {
  private busyUntilUs = 0;
  /** Bytes moved through the channel so far. */
  bytesMoved = 0;

  /**
   * @param bytesPerUs sustained bandwidth (GB/s * 1000 = bytes/µs)
   * @param latencyUs fixed cost per transfer
   */
  constructor(
    readonly bytesPerUs: number,
    readonly latencyUs: number,
  ) {}

  /** Queues a transfer of `bytes` at `nowUs`; returns [startUs, endUs] through `out`. */
  schedule(nowUs: number, bytes: number, out: { startUs: number; endUs: number }): void {
    const start = Math.max(nowUs, this.busyUntilUs);
    const end = start + this.latencyUs + bytes / this.bytesPerUs;
    this.busyUntilUs = end;
    this.bytesMoved += bytes;
    out.startUs = start;
    out.endUs = end;
  }

  /** Duration of a transfer of `bytes` on an idle channel, µs. */
  durationUs(bytes: number): number {
    return this.latencyUs + bytes / this.bytesPerUs;
  }

  /**
   * A transfer [startUs, endUs] of `bytes` was cut short at `nowUs` after moving `movedBytes`:
   * if nothing was queued behind it the link frees up now; otherwise later transfers keep their slots.
   */
  cancelTail(startUs: number, endUs: number, nowUs: number, bytes: number, movedBytes: number): void {
    this.bytesMoved -= bytes - movedBytes;
    if (this.busyUntilUs === endUs) this.busyUntilUs = Math.max(nowUs, startUs);
  }

  get idleAtUs(): number {
    return this.busyUntilUs;
  }
}

/** GB/s to bytes per µs. */
export function gbpsToBytesPerUs(gbps: number): number {
  return gbps * 1e3;
}
