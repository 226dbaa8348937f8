/**
 * A finished job's figures for Prometheus: outcome, time spent in each stage, and how (and how long
 * after KIE finished) completion was detected. Recorded once, by whichever settlement took effect,
 * so an activity retried after a lost reply does not count a job twice.
 */
import type { Metrics } from '../observability/metrics.js';
import type { JobProgress } from '../domain/index.js';

export function recordJobMetrics(metrics: Metrics, progress: JobProgress): void {
  metrics.jobsFinished.inc({ state: progress.state });
  const { stages } = progress;
  for (let i = 0; i + 1 < stages.length; i++) {
    const seconds = (Date.parse(stages[i + 1]!.at) - Date.parse(stages[i]!.at)) / 1000;
    metrics.stageSeconds.observe({ stage: stages[i]!.state }, Math.max(0, seconds));
  }
  const detection = progress.detection;
  if (detection) {
    metrics.detections.inc({ channel: detection.channel });
    if (detection.kieCompletedAt) {
      const delay = (Date.parse(detection.at) - Date.parse(detection.kieCompletedAt)) / 1000;
      // KIE's clock is not ours: a negative skew says nothing about our delay.
      if (delay >= 0) metrics.detectionDelaySeconds.observe({ channel: detection.channel }, delay);
    }
  }
}
