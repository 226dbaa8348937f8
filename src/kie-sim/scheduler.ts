/**
 * Every timer the simulator starts goes through here: unref'd, so a test process can exit while a
 * task is still "generating", and cleared on close(), so nothing fires against a closed server.
 */
export interface Scheduler {
  later: (ms: number, fn: () => void) => void;
  /** Resolves after `ms`; never resolves once the scheduler is closed (its awaiter is simply dropped). */
  sleep: (ms: number) => Promise<void>;
  readonly closed: boolean;
  close(): void;
}

export function createScheduler(): Scheduler {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const later = (ms: number, fn: () => void) => {
    if (closed) return;
    const t = setTimeout(
      () => {
        timers.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    t.unref();
    timers.add(t);
  };
  return {
    later,
    sleep: (ms) => new Promise<void>((resolve) => later(ms, resolve)),
    get closed() {
      return closed;
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
