/**
 * The Temporal server's own count of its database work, read from its Prometheus endpoint: a figure
 * that, unlike rates and CPU time, does not move with the machine's load.
 */

/** Persistence and visibility requests the server has made so far (every operation, every store). */
export async function databaseRequests(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const sample = line.match(/^(?:visibility_)?persistence_requests\{.*\} ([0-9.e+]+)$/);
    if (sample) total += Number(sample[1]);
  }
  return total;
}
