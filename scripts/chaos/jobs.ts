/**
 * The jobs of a chaos run and how their states are followed: one query on the ledger database for
 * every job not yet terminal, a few times a second (not the API, which the run is busy faulting).
 */
import pg from 'pg';
import { sleep } from '../cluster-run/api.js';
import type { RunUser } from '../cluster-run/users.js';

export const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'rejected']);

export interface ChaosJob {
  index: number;
  id: string;
  prompt: string;
  user: RunUser;
  state: string;
  finishedAt: number | null;
  /** What the chaos did to it. */
  terminated: boolean;
  cancelRequested: boolean;
}

export function inFlight(jobs: ChaosJob[]): ChaosJob[] {
  return jobs.filter((j) => j.finishedAt === null);
}

/** Polls until stop() says so; marks jobs terminal (finishedAt) as the ledger records them. */
export async function followStates(
  databaseUrl: string,
  jobs: ChaosJob[],
  stop: () => boolean,
): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on('error', () => undefined); // a dropped connection: the next query reconnects
  try {
    while (!stop()) {
      const pending = inFlight(jobs);
      if (pending.length) {
        try {
          const { rows } = await pool.query<{ id: string; state: string }>(
            'select id, state from jobs where id = any($1)',
            [pending.map((j) => j.id)],
          );
          const now = Date.now();
          const byId = new Map(rows.map((r) => [r.id, r.state]));
          for (const j of pending) {
            const state = byId.get(j.id);
            if (!state) continue;
            j.state = state;
            if (TERMINAL.has(state)) j.finishedAt = now;
          }
        } catch {
          // the database busy or restarting: next round
        }
      }
      await sleep(250);
    }
  } finally {
    await pool.end().catch(() => undefined);
  }
}
