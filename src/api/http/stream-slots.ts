/** A cap on what one owner may hold open at once (event streams per user), counted in this process. */
export interface StreamSlots {
  /** A slot for `owner` and the function that gives it back (once), or null when all are taken. */
  take(owner: string): (() => void) | null;
  /** How many `owner` holds. */
  held(owner: string): number;
}

export function createStreamSlots(maxPerOwner: number): StreamSlots {
  const held = new Map<string, number>();
  return {
    take(owner) {
      const n = held.get(owner) ?? 0;
      if (n >= maxPerOwner) return null;
      held.set(owner, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(owner) ?? 1) - 1;
        if (left > 0) held.set(owner, left);
        else held.delete(owner);
      };
    },
    held: (owner) => held.get(owner) ?? 0,
  };
}
