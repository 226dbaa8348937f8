/** Prometheus metrics (prom-client), one registry per process, scraped at GET /metrics. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    jobsCreated: new Counter({
      name: 'veo_jobs_created_total',
      help: 'Jobs accepted by the API',
      labelNames: ['model'],
      registers,
    }),
    jobsRejected: new Counter({
      name: 'veo_jobs_rejected_total',
      help: 'Jobs refused at reservation',
      labelNames: ['reason'],
      registers,
    }),
    jobsFinished: new Counter({
      name: 'veo_jobs_finished_total',
      help: 'Jobs by final state',
      labelNames: ['state'],
      registers,
    }),
    stageSeconds: new Histogram({
      name: 'veo_stage_duration_seconds',
      help: 'Time spent per workflow stage',
      labelNames: ['stage'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    detections: new Counter({
      name: 'veo_detection_total',
      help: 'How completion was detected',
      labelNames: ['channel'],
      registers,
    }),
    detectionDelaySeconds: new Histogram({
      name: 'veo_detection_delay_seconds',
      help: 'KIE completion → our detection',
      labelNames: ['channel'],
      buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    }),
    kieCalls: new Counter({
      name: 'veo_kie_calls_total',
      help: 'KIE API calls by endpoint and code',
      labelNames: ['endpoint', 'code'],
      registers,
    }),
    kieCallSeconds: new Histogram({
      name: 'veo_kie_call_duration_seconds',
      help: 'KIE API call latency',
      labelNames: ['endpoint'],
      registers,
    }),
    webhooks: new Counter({
      name: 'veo_webhooks_total',
      help: 'KIE callbacks received by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    archiveBytes: new Counter({ name: 'veo_archive_bytes_total', help: 'Bytes archived', registers }),
    httpRequests: new Counter({
      name: 'veo_http_requests_total',
      help: 'API requests',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
