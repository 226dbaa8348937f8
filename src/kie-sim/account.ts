/** The simulated KIE account's credit balance: charged when a task is accepted, refunded if it fails. */
export interface Account {
  balance(): number;
  /** Takes `amount` if the balance covers it; false = answer 402 and charge nothing. */
  charge(amount: number): boolean;
  refund(amount: number): void;
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
    refund(amount) {
      credits += amount;
    },
    set(value) {
      credits = value;
    },
  };
}
