/** The callback fault switches (SimFaults.callback / foreignCallback) applied to one completion. */
import type { Delivery } from './callbacks.js';
import type { SimContext } from './context.js';
import type { SimFaults } from './types.js';

export interface CallbackPlan {
  /** POSTs the real callback. */
  real: () => Delivery;
  /** POSTs a stale, conflicting callback (for 'reorder'); without one, 'reorder' is 'normal'. */
  stale?: () => Delivery;
  /** POSTs a callback for a task that does not exist (for foreignCallback). */
  foreign?: () => Delivery;
}

/** Starts delivery per the faults; resolves once the real callback's first attempt is over (or skipped). */
export function dispatchCallback(ctx: SimContext, faults: SimFaults, plan: CallbackPlan): Promise<void> {
  if (faults.foreignCallback && plan.foreign) void plan.foreign().done;
  switch (faults.callback ?? 'normal') {
    case 'drop':
      return Promise.resolve();
    case 'delay':
      ctx.scheduler.later(faults.callbackDelayMs ?? 2_000, () => void plan.real().done);
      return Promise.resolve();
    case 'duplicate': {
      // The same body again once the first delivery is over, as KIE's at-least-once delivery may.
      const d = plan.real();
      void d.done.then(() => void plan.real().done);
      return d.firstAttempt;
    }
    case 'reorder': {
      // The real callback, then a stale one saying the opposite: record-info must be what decides.
      const d = plan.real();
      const stale = plan.stale;
      if (stale) void d.done.then(() => void stale().done);
      return d.firstAttempt;
    }
    default:
      return plan.real().firstAttempt;
  }
}
