/** Reads Prometheus text (GET /metrics). */

/** Every sample of metric `name`: its labels and value. */
export function metricSamples(
  text: string,
  name: string,
): Array<{ labels: Record<string, string | undefined>; value: number }> {
  const samples: Array<{ labels: Record<string, string | undefined>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string | undefined> = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x): [string, string | undefined] => [
        x[1] ?? '',
        x[2],
      ]),
    );
    samples.push({ labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of one Prometheus sample (0 when absent), matching the given labels. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  return metricSamples(text, name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}
