/** What the activities need from the outside world; only the worker's entry wires the real ones. */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { VideoStorage } from '../storage/index.js';
import type { KieClient } from '../kie/index.js';
import type { KiePace, Ledger } from '../ledger/index.js';
import type { Metrics } from '../observability/metrics.js';
import type { WebhookTargets } from '../security/webhook-target.js';

export interface ActivityDeps {
  ledger: Ledger;
  kie: KieClient;
  storage: VideoStorage;
  logger: Logger;
  metrics?: Metrics;
  /** Where KIE can reach our webhook; null = no callbacks, polling only. */
  publicBaseUrl: string | null;
  /**
   * Signs the per-job callback token, and is the root of the key that opens customers' sealed webhook
   * signing secrets. Stays in the worker: never in a workflow payload.
   */
  webhookSecret: string;
  /** Where customers' webhooks may point (CUSTOMER_WEBHOOK_TARGETS); default `public`. */
  webhookTargets?: WebhookTargets;
  /** Hosts result URLs may come from (KIE's CDNs, or the simulator); https and public addresses only. */
  downloadHosts: string[];
  /** Hosts also reachable over http and at private addresses: the local simulator (tests, development). */
  localDownloadHosts?: string[];
  maxDownloadBytes: number;
  /** The reconciler asks Temporal whether a job's workflow still runs. */
  temporal: Client;
  /** KIE's generation limit, kept across workers (src/ledger/kie-submissions.ts). */
  kiePace: KiePace;
  /** A hold whose workflow cannot be found is left alone this long (its workflow may be starting). */
  reconcileGraceMs: number;
  /**
   * The balance watcher's rules (KIE_BALANCE_LOW_WATER, KIE_BALANCE_AUTO_CLOSE): below `lowWater`
   * (0 = no mark) the spend breaker opens; `autoClose` lets a later read at or above it close a
   * breaker the watcher opened. Default: no mark.
   */
  kieBalanceWatch?: { lowWater: number; autoClose: boolean };
}
