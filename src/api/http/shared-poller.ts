/**
 * One poller per key, however many listen: ten tabs following one job cost one read per period, not
 * ten. The poller starts with its first listener and stops with its last; each read's outcome (a value
 * or an error) goes to every listener of the moment.
 */
export type PollOutcome<T> = { value: T } | { error: unknown };
export type PollListener<T> = (outcome: PollOutcome<T>) => void;

export interface SharedPoller<T> {
  /** Listens to `key`'s reads; `read` is used when this call starts the poller. Returns the unsubscribe. */
  subscribe(key: string, read: () => Promise<T>, listener: PollListener<T>): () => void;
  /** How many keys are being polled. */
  readonly polling: number;
}

interface Poll<T> {
  read: () => Promise<T>;
  listeners: Set<PollListener<T>>;
  timer?: NodeJS.Timeout;
}

export function createSharedPoller<T>(intervalMs: number): SharedPoller<T> {
  const polls = new Map<string, Poll<T>>();

  const schedule = (key: string, poll: Poll<T>) => {
    poll.timer = setTimeout(() => {
      void poll.read().then(
        (value) => deliver(key, poll, { value }),
        (error: unknown) => deliver(key, poll, { error }),
      );
    }, intervalMs);
  };

  const deliver = (key: string, poll: Poll<T>, outcome: PollOutcome<T>) => {
    // Everyone left while the read was under way: this poll is over.
    if (polls.get(key) !== poll) return;
    for (const listener of [...poll.listeners]) listener(outcome);
    if (poll.listeners.size > 0) schedule(key, poll);
  };

  return {
    subscribe(key, read, listener) {
      let poll = polls.get(key);
      if (!poll) {
        poll = { read, listeners: new Set() };
        polls.set(key, poll);
        schedule(key, poll);
      }
      const joined = poll;
      joined.listeners.add(listener);
      return () => {
        joined.listeners.delete(listener);
        if (joined.listeners.size > 0 || polls.get(key) !== joined) return;
        clearTimeout(joined.timer);
        polls.delete(key);
      };
    },
    get polling() {
      return polls.size;
    },
  };
}
