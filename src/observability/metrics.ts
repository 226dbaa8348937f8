/** Prometheus metrics (prom-client), one registry per process, scraped at GET /metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KieBalance, ReconcilerStats } from '../ledger/index.js';

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
    customerWebhooks: new Counter({
      name: 'veo_customer_webhooks_total',
      help: "Tries to POST a job's end to its customer's webhook, by outcome",
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

/**
 * The reconciler's figures, read from the database at each scrape: the sweep runs in a worker (which
 * may have no HTTP port), and every API replica then reports the same, global values (aggregate them
 * with max, not sum). Jobs and holds settled are counted from append-only rows, so the counters only grow.
 */
export function observeReconciler(metrics: Metrics, read: () => Promise<ReconcilerStats>): void {
  const registers = [metrics.registry];
  const stats = sharedRead<ReconcilerStats>(read, { reconciled: [], lastSweepAt: null, sweeps: 0 });
  new Counter({
    name: 'veo_reconciled_total',
    help: 'Jobs (kind=job: workflow closed) and holds (kind=hold: no workflow) settled by the reconciler, by reason',
    labelNames: ['kind', 'reason'],
    registers,
    async collect() {
      this.reset();
      for (const r of (await stats()).reconciled) this.inc({ kind: r.kind, reason: r.reason }, r.count);
    },
  });
  new Counter({
    name: 'veo_reconciled_credits_total',
    help: 'Credits released by the reconciler',
    labelNames: ['kind'],
    registers,
    async collect() {
      this.reset();
      for (const r of (await stats()).reconciled) if (r.released) this.inc({ kind: r.kind }, r.released);
    },
  });
  new Gauge({
    name: 'veo_reconcile_last_sweep_timestamp_seconds',
    help: 'When the reconciler last finished a sweep (0: never)',
    registers,
    async collect() {
      const last = (await stats()).lastSweepAt;
      this.set(last ? last.getTime() / 1000 : 0);
    },
  });
}

/**
 * KIE's balance as the watcher last stored it (docs/operations.md#kie-balance), read from the database
 * at each scrape for the same reason as the reconciler's figures: the watcher runs in a worker. Before
 * the first good read the balance is NaN, not 0 (an empty account), and the timestamps 0.
 */
export function observeKieBalance(metrics: Metrics, read: () => Promise<KieBalance>): void {
  const registers = [metrics.registry];
  const empty: KieBalance = { credits: null, checkedAt: null, lowWater: null, error: null, errorAt: null };
  const balance = sharedRead(read, empty);
  const seconds = (d: Date | null) => (d ? d.getTime() / 1000 : 0);
  new Gauge({
    name: 'veo_kie_balance_credits',
    help: "KIE's account balance at the last good read (NaN: none yet)",
    registers,
    async collect() {
      this.set((await balance()).credits ?? NaN);
    },
  });
  new Gauge({
    name: 'veo_kie_balance_checked_timestamp_seconds',
    help: "When KIE's balance was last read successfully (0: never)",
    registers,
    async collect() {
      this.set(seconds((await balance()).checkedAt));
    },
  });
  new Gauge({
    name: 'veo_kie_balance_low_water_credits',
    help: 'The low-water mark the last read was held against (0: none); below it the spend breaker opens',
    registers,
    async collect() {
      this.set((await balance()).lowWater ?? 0);
    },
  });
  new Gauge({
    name: 'veo_kie_balance_check_failing',
    help: "1 when the last read of KIE's balance failed (the admin API says why), else 0",
    registers,
    async collect() {
      this.set((await balance()).error ? 1 : 0);
    },
  });
}

/**
 * One database read per scrape, shared by the metrics that use it. Database down: the last values stay
 * (a scrape must not fail as a whole; /readyz reports the database).
 */
function sharedRead<T>(read: () => Promise<T>, initial: T): () => Promise<T> {
  let last = initial;
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= read()
      .then((v) => (last = v))
      .catch(() => last)
      .finally(() => setTimeout(() => (pending = null), 0));
    return pending;
  };
}

/** The API's job starts (src/services/job-starts.ts): under way, and waiting for a slot after their 202. */
export function observeJobStarts(
  metrics: Metrics,
  counts: () => { inFlight: number; waiting: number },
): void {
  new Gauge({
    name: 'veo_job_starts',
    help: "Jobs' workflow starts of this API process: under way (state=in_flight), and waiting for a slot after their create was answered (state=waiting)",
    labelNames: ['state'],
    registers: [metrics.registry],
    collect() {
      const now = counts();
      this.set({ state: 'in_flight' }, now.inFlight);
      this.set({ state: 'waiting' }, now.waiting);
    },
  });
}
