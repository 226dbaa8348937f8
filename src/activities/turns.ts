/**
 * Turns, one holder at a time, in the order they were asked for. The paced generate calls of one
 * worker take turns at waiting for KIE's window (kie-activities.ts): only the first in line checks the
 * window, in a transaction, and those behind it wait here for free. Without turns every waiting call
 * re-checked the window on the same wake-up — a locking transaction each, most of them only to learn
 * it was still full.
 */
export interface Turns {
  /**
   * Resolves with the turn's release once every earlier turn is released. An aborted wait rejects at
   * once with the signal's reason, and hands its place on to the next when its turn would have come.
   */
  take(signal?: AbortSignal): Promise<() => void>;
}

export function createTurns(): Turns {
  let last: Promise<void> = Promise.resolve();
  return {
    async take(signal) {
      signal?.throwIfAborted();
      const before = last;
      let release!: () => void;
      last = new Promise<void>((resolve) => (release = resolve));
      if (!signal) {
        await before;
        return release;
      }
      let onAbort!: () => void;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([before, aborted]);
        return release;
      } catch (err) {
        void before.then(release);
        throw err;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
