/** The simulated KIE account's credit balance: charged when a task is accepted, refunded if it fails. */
export interface Account {
  balance(): number;
  /** Takes `amount` if the balance covers it; false = answer 402 and charge nothing. */
  charge(amount: number): boolean;
  /**
   * Gives a failed task's price back, once: assumed, KIE does not charge for a generation that failed
   * (docs/kie-api.md#open-questions-and-assumptions, question 10). Veo and Market tasks alike.
   */
  refundFailed(task: { price: number; refunded: boolean }): void;
  /** Sets the balance (the control API's POST /_sim/credits, KieSimulator.setCredits). */
  set(credits: number): void;
}

export const INSUFFICIENT_CREDITS = 'The current credits are insufficient. Please top up.';

export function createAccount(initial: number): Account {
  let credits = initial;
  return {
    balance: () => credits,
    charge(amount) {
      if (credits < amount) return false;
      credits -= amount;
      return true;
    },
    refundFailed(task) {
      if (task.refunded) return;
      credits += task.price;
      task.refunded = true;
    },
    set(value) {
      credits = value;
    },
  };
}
