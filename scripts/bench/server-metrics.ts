/**
 * The Temporal server's own count of its database work, read from its Prometheus endpoint: a figure
 * that, unlike rates and CPU time, does not move with the machine's load.
 */
import { metricValue } from '../../test/support/metrics.js';

/** Persistence and visibility requests the server has made so far (every operation, every store). */
export async function databaseRequests(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return metricValue(text, 'persistence_requests') + metricValue(text, 'visibility_persistence_requests');
}
