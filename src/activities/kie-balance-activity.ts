/**
 * The balance watcher's one activity (docs/operations.md#kie-balance): reads KIE's balance, stores it
 * for the API's /metrics and admin API, and holds it against the low-water mark — below it, the
 * spend breaker opens before KIE would start answering 402; at or above it, with auto-close, a
 * breaker this watcher opened closes again. An operator's breaker, or one a KIE 402 opened, is never
 * closed here: the breaker row says who opened it.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { KieError } from '../kie/index.js';
import type { ActivityDeps } from './deps.js';

/**
 * The breaker's reason, which refused customers read too (the 503's detail): it says why, not how many
 * credits our KIE account holds. The figures are in the admin API and on /metrics.
 */
export const KIE_BALANCE_LOW_REASON = "KIE account balance below the operator's low-water mark";

/** Longest error text kept with the balance: KIE's message, or a transport failure's description. */
const MAX_ERROR_LENGTH = 500;

export interface KieBalanceCheck {
  credits: number;
  /** What this read did to the spend breaker. */
  breaker: 'opened' | 'closed' | 'unchanged';
}

export function createKieBalanceActivity({ kie, ledger, logger, kieBalanceWatch }: ActivityDeps) {
  const lowWater = kieBalanceWatch?.lowWater ?? 0;
  const autoClose = kieBalanceWatch?.autoClose ?? false;

  return {
    async checkKieBalance(): Promise<KieBalanceCheck> {
      let credits: number;
      try {
        credits = await kie.credits();
      } catch (err) {
        // Kept for the operator (admin API), then thrown: Temporal retries what may pass (a 5xx, no
        // answer), not what cannot (a refused key); the next run comes anyway. KIE errors never carry
        // the API key (src/kie/client.ts scrubs it).
        const message = err instanceof Error ? err.message : String(err);
        await ledger.recordKieBalanceError(message.slice(0, MAX_ERROR_LENGTH));
        logger.warn({ err: message }, 'KIE balance check failed');
        if (err instanceof KieError && err.kind === 'permanent')
          throw ApplicationFailure.nonRetryable(message, 'KieError');
        throw err;
      }
      await ledger.recordKieBalance({ credits, lowWater: lowWater > 0 ? lowWater : null });
      if (lowWater <= 0) return { credits, breaker: 'unchanged' };

      if (credits < lowWater) {
        const { opened } = await ledger.openBreakerIfClosed(KIE_BALANCE_LOW_REASON, 'kie_balance');
        if (opened)
          logger.error({ credits, lowWater }, 'KIE balance below the low-water mark: spend breaker opened');
        return { credits, breaker: opened ? 'opened' : 'unchanged' };
      }
      if (autoClose) {
        const { closed } = await ledger.closeBreakerOpenedBy('kie_balance');
        if (closed)
          logger.warn({ credits, lowWater }, 'KIE balance back at the low-water mark: spend breaker closed');
        return { credits, breaker: closed ? 'closed' : 'unchanged' };
      }
      return { credits, breaker: 'unchanged' };
    },
  };
}
