/**
 * Following the jobs of a run from the ledger database: one query for every job not yet terminal, four
 * times a second (not the API, which the run is busy faulting), until stop() says so.
 */
import pg from 'pg';
import { sleep } from './api.js';

export const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'rejected']);

export interface FollowedJob {
  id: string;
  state: string;
  /** Set (epoch ms) when the ledger first shows the job terminal. */
  finishedAt: number | null;
}

export async function followStates<J extends FollowedJob>(
  databaseUrl: string,
  jobs: J[],
  stop: () => boolean,
  onTerminal: (job: J, now: number) => void = () => undefined,
): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on('error', () => undefined); // a dropped connection (Postgres restarting): the next query reconnects
  try {
    while (!stop()) {
      const pending = jobs.filter((j) => j.finishedAt === null);
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
            if (!TERMINAL.has(state)) continue;
            j.finishedAt = now;
            onTerminal(j, now);
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
