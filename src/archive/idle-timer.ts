/**
 * An inactivity deadline, not a total one: a 2 GB file on a slow link may take many minutes, which
 * is fine as long as bytes keep coming. `touch()` on every chunk pushes the deadline back; when it
 * passes, `signal` aborts with `reason()`, which ends the fetch or the body stream in progress.
 */
export class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly reason: () => Error,
  ) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    if (this.controller.signal.aborted) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(this.reason()), this.ms);
    // A pending deadline must not keep the process alive on its own.
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
