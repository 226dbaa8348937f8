/**
 * The Temporal server's own count of its database work, read from its Prometheus endpoint: a figure
 * that, unlike rates and CPU time, does not move with the machine's load.
 */
import { metricSamples, metricValue } from '../../test/support/metrics.js';

const DATABASE_METRICS = ['persistence_requests', 'visibility_persistence_requests'];

async function scrape(metricsPort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

/** Persistence and visibility requests the server has made so far (every operation, every store). */
export async function databaseRequests(metricsPort: number): Promise<number> {
  const text = await scrape(metricsPort);
  return DATABASE_METRICS.reduce((sum, name) => sum + metricValue(text, name), 0);
}

/** The same requests so far, by operation (`UpdateWorkflowExecution`, `ReadHistoryBranch`, …). */
export async function databaseRequestsByOperation(metricsPort: number): Promise<Map<string, number>> {
  const text = await scrape(metricsPort);
  const byOperation = new Map<string, number>();
  for (const { labels, value } of DATABASE_METRICS.flatMap((name) => metricSamples(text, name))) {
    if (labels.operation) byOperation.set(labels.operation, (byOperation.get(labels.operation) ?? 0) + value);
  }
  return byOperation;
}

/** The busiest operations between two readings, per second: "UpdateWorkflowExecution 14.9, …". */
export function busiestPerSecond(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
  top: number,
): string {
  return [...after]
    .map(([operation, count]): [string, number] => [
      operation,
      (count - (before.get(operation) ?? 0)) / seconds,
    ])
    .filter(([, rate]) => rate > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([operation, rate]) => `${operation} ${rate.toFixed(1)}`)
    .join(', ');
}
