/**
 * Runs a block of ledger scenarios once per database. Each scenario gets a fresh database and ledger
 * with a settable clock, and ends — pass or fail — with the invariants checked and the data dropped.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { createLedger, type Ledger, type NewJob, type NewUser, type User } from '../../src/ledger/index.js';
import { DATABASE_KINDS, openScratchDb, type DatabaseKind, type ScratchDb } from '../support/databases.js';
import { videoRequest } from '../support/requests.js';

export { videoRequest };

export const T0 = new Date('2026-11-24T10:00:00Z');

export interface LedgerContext {
  kind: DatabaseKind;
  db: Db;
  ledger: Ledger;
  scratch: ScratchDb;
  /** What the ledger's clock returns; tests move it. */
  now: Date;
  /** A user holding `credits` (granted once, key 'initial'). */
  fundedUser(credits: number, caps?: Omit<NewUser, 'name'>): Promise<User>;
}

export function forEachDatabase(
  title: string,
  body: (t: LedgerContext) => void,
  opts: { only?: DatabaseKind } = {},
): void {
  for (const kind of DATABASE_KINDS) {
    if (opts.only && opts.only !== kind) continue;
    void describe(`${title} [${kind}]`, () => {
      // Filled in by beforeEach; `body` only registers tests, which read it when they run.
      const t = { kind, now: T0 } as LedgerContext;
      t.fundedUser = async (credits, caps = {}) => {
        const user = await t.ledger.createUser({ name: 'user', ...caps });
        if (credits > 0)
          await t.ledger.grant({ userId: user.id, amount: credits, idempotencyKey: 'initial' });
        return user;
      };
      beforeEach(async () => {
        t.now = T0;
        t.scratch = await openScratchDb(kind);
        t.db = t.scratch.db;
        t.ledger = await createLedger(t.db, { clock: () => t.now });
      });
      afterEach(async () => {
        try {
          assert.deepEqual(await t.ledger.checkInvariants(), [], 'ledger invariants');
        } finally {
          await t.scratch.drop();
        }
      });
      body(t);
    });
  }
}

export const newJob = (id: string, userId: string, extra: Partial<NewJob> = {}): NewJob => ({
  id,
  userId,
  model: 'veo3_fast',
  request: videoRequest(),
  ...extra,
});
