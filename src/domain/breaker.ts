/**
 * Who opened the global spend breaker (docs/operations.md#spend-breaker). Only the balance watcher's
 * own openings are ever closed by it (KIE_BALANCE_AUTO_CLOSE): an operator's, or one a KIE 402
 * caused, waits for an operator.
 */
import { z } from 'zod';

export const BreakerSourceSchema = z.enum(['operator', 'kie_402', 'kie_balance']).meta({
  description:
    'operator: opened through the admin API; kie_402: KIE refused a generation for want of credits; ' +
    "kie_balance: the balance watcher read KIE's balance below KIE_BALANCE_LOW_WATER",
});
export type BreakerSource = z.infer<typeof BreakerSourceSchema>;
