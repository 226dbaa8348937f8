/**
 * The credit movements, each to be run inside the caller's transaction so a job record can change in
 * the same commit. Entries are append-only; the user row carries running totals (balance, held,
 * open_holds) updated in the same transaction and re-derived from the entries by checkInvariants.
 *
 * Serialisation: every movement first locks the user row (SELECT … FOR UPDATE). Concurrent holds of
 * one user therefore run one after another on any driver, and each sees the previous one's effect —
 * which is what keeps `available` from going negative. The CHECK (balance − held ≥ 0) on users and
 * the unique indexes on entries are the backstop should code ever skip the lock.
 *
 * Daily cap: the UTC calendar day, and a job counts on the day it was reserved — holds placed since
 * UTC midnight that were not released: what was captured of them, or what is still held. A calendar
 * day is what operators and users reason about ("100 credits a day"); a rolling 24 h window would
 * refill at odd hours.
 */
import type { Db } from '../db/index.js';
import { CreditLimitError, JobConflictError, UnknownUserError } from './errors.js';
import { MAX_CREDITS } from '../config.js';
import { isRejectionReason, type RejectionReason } from '../domain/index.js';
import type { CreditPart, ReserveResult, Settlement } from './types.js';

interface LockedUser {
  balance: number;
  held: number;
  open_holds: number;
  concurrency_cap: number | null;
  daily_spend_cap: number | null;
  /** The spend breaker, read in the same statement (a hold's refusal checks need it). */
  breaker_open: boolean | null;
  breaker_reason: string | null;
  /** The user has a default webhook URL: a job created now notifies it when it ends. */
  webhook_default: boolean;
}

export function assertCredits(what: string, amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`${what} must be a positive integer, got ${amount}`);
}

/** Locks the user row until the transaction ends; every credit movement of one user queues here. */
export type { LockedUser };

/**
 * The user row, locked, with the breaker and the webhook default read in the same statement (one round
 * trip: on PGlite each statement costs about as much as the work it does). `userParam` names the
 * user's id parameter; also the first step of a new job's single statement (job-settlement.ts).
 */
export const lockedUserSql = (userParam: string) =>
  `select u.balance, u.held, u.open_holds, u.concurrency_cap, u.daily_spend_cap,
          b.open as breaker_open, b.reason as breaker_reason, u.webhook_url is not null as webhook_default
     from users u left join spend_breaker b on b.id = 1
    where u.id = ${userParam} for update of u`;

export async function lockUser(tx: Db, userId: string): Promise<LockedUser> {
  const [user] = await tx.query<LockedUser>(lockedUserSql('$1'), [userId]);
  if (!user) throw new UnknownUserError(userId);
  return user;
}

const utcMidnight = (now: Date) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

export async function grantIn(
  tx: Db,
  args: { userId: string; amount: number; idempotencyKey: string; note?: string | undefined; now: Date },
): Promise<{ applied: boolean }> {
  assertCredits('grant amount', args.amount);
  const user = await lockUser(tx, args.userId);
  // Under the lock, so two grants with one key cannot both pass this check.
  const [dup] = await tx.query(
    `select 1 from credit_entries where user_id = $1 and kind = 'grant' and idempotency_key = $2`,
    [args.userId, args.idempotencyKey],
  );
  if (dup) return { applied: false };
  if (user.balance + args.amount > MAX_CREDITS) throw new CreditLimitError(args.userId, MAX_CREDITS);
  await tx.query(
    `insert into credit_entries (user_id, kind, amount, idempotency_key, note, created_at) values ($1, 'grant', $2, $3, $4, $5)`,
    [args.userId, args.amount, args.idempotencyKey, args.note ?? null, args.now],
  );
  await tx.query('update users set balance = balance + $2 where id = $1', [args.userId, args.amount]);
  return { applied: true };
}

/**
 * Holds `amount` for a job. Idempotent by job id: a replay returns `{ ok: true, replay: true }` when
 * the hold exists, or the recorded refusal when the job record says it was rejected.
 */
export async function reserveIn(
  tx: Db,
  args: { jobId: string; userId: string; amount: number; now: Date },
): Promise<ReserveResult> {
  assertCredits('reserve amount', args.amount);
  const user = await lockUser(tx, args.userId);

  const [hold] = await tx.query<{ user_id: string; amount: number }>(
    `select user_id, amount from credit_entries where job_id = $1 and part = 'main' and kind = 'hold'`,
    [args.jobId],
  );
  if (hold) {
    if (hold.user_id !== args.userId || hold.amount !== args.amount) {
      throw new JobConflictError(args.jobId, `already holds ${hold.amount} credits of user ${hold.user_id}`);
    }
    // A replay while the hold is open is the same reservation; once it was captured or released, a
    // "replay" would report credits held that nobody holds any more (and a job started on it would
    // run unpaid): refused.
    const [settled] = await tx.query<{ kind: string }>(
      `select kind from credit_entries where job_id = $1 and kind in ('capture', 'release')`,
      [args.jobId],
    );
    if (settled)
      throw new JobConflictError(
        args.jobId,
        `its hold was already ${settled.kind}d; refusing to reserve again`,
      );
    return { ok: true, replay: true };
  }
  const [job] = await tx.query<{
    user_id: string;
    state: string;
    finished_at: Date | null;
    error: { code?: string; message?: string } | null;
  }>('select user_id, state, finished_at, error from jobs where id = $1', [args.jobId]);
  if (job) {
    if (job.user_id !== args.userId) throw new JobConflictError(args.jobId, `belongs to another user`);
    if (job.state === 'rejected' && isRejectionReason(job.error?.code)) {
      return {
        ok: false,
        reason: job.error.code,
        message: job.error.message ?? job.error.code,
      };
    }
    // A finished job holding nothing (released before this late attempt, or never reserved) must not
    // start holding now: nobody would ever capture or release it.
    if (job.finished_at) throw new JobConflictError(args.jobId, `already ${job.state}; refusing a new hold`);
  }

  const refusal = await refusalFor(tx, user, args);
  if (refusal) return refusal;

  await insertHoldIn(tx, { ...args, part: 'main' });
  return { ok: true, replay: false };
}

/** A new hold of one part of a job, and the user's running totals; under the caller's user lock. */
export async function insertHoldIn(
  tx: Db,
  args: { jobId: string; userId: string; part: CreditPart; amount: number; note?: string; now: Date },
): Promise<void> {
  assertCredits('hold amount', args.amount);
  // The entry and the user's running totals in one statement (one round trip).
  await tx.query(
    `with hold as (
       insert into credit_entries (user_id, kind, amount, job_id, part, note, created_at)
       values ($1, 'hold', $2, $3, $4, $5, $6))
     update users set held = held + $2, open_holds = open_holds + 1 where id = $1`,
    [args.userId, args.amount, args.jobId, args.part, args.note ?? null, args.now],
  );
}

/**
 * refusalFor's checks as one SQL condition on a `u` row selected by lockedUserSql, for a hold of `amount`
 * (a parameter): true only where refusalFor would return null without querying. A daily cap needs the
 * day's sum, so a user with one never passes here (the caller falls back to refusalFor). Keep the two
 * in step: a check missing here would hold what refusalFor refuses.
 */
export const holdAllowedSql = (amount: string) =>
  `u.breaker_open is not true and u.balance - u.held >= ${amount}
   and (u.concurrency_cap is null or u.open_holds < u.concurrency_cap) and u.daily_spend_cap is null`;

/**
 * Why this hold must be refused, or null. Runs under the user lock, so the numbers cannot move.
 * `concurrency: false` for a part added to a finished job (an on-demand 1080p): the cap is on videos
 * being generated at once, and that one is not.
 */
export async function refusalFor(
  tx: Db,
  user: LockedUser,
  args: { userId: string; amount: number; now: Date },
  checks: { concurrency: boolean } = { concurrency: true },
): Promise<Extract<ReserveResult, { ok: false }> | null> {
  if (user.breaker_open) {
    return reject(
      'breaker_open',
      `New videos are paused by the operator${user.breaker_reason ? `: ${user.breaker_reason}` : ''}. Try again later.`,
    );
  }
  const available = user.balance - user.held;
  if (available < args.amount) {
    return reject('insufficient_credits', `This video costs ${args.amount} credits; ${available} available.`);
  }
  if (checks.concurrency && user.concurrency_cap !== null && user.open_holds >= user.concurrency_cap) {
    return reject(
      'concurrency_cap',
      `At most ${user.concurrency_cap} videos at once; wait for one to finish.`,
    );
  }
  if (user.daily_spend_cap !== null) {
    // A captured job counts what it was charged (a 1080p that never came is not spent), an open one
    // what it holds.
    const [{ spent } = { spent: 0 }] = await tx.query<{ spent: number }>(
      `select coalesce(sum(coalesce(c.amount, h.amount)), 0)::int8 as spent from credit_entries h
       left join credit_entries c on c.job_id = h.job_id and c.part = h.part and c.kind = 'capture'
       where h.user_id = $1 and h.kind = 'hold' and h.created_at >= $2
         and not exists (select 1 from credit_entries r where r.job_id = h.job_id and r.part = h.part and r.kind = 'release')`,
      [args.userId, utcMidnight(args.now)],
    );
    if (spent + args.amount > user.daily_spend_cap) {
      return reject(
        'daily_cap',
        `Daily limit of ${user.daily_spend_cap} credits: ${spent} already used today (UTC).`,
      );
    }
  }
  return null;
}

const reject = (reason: RejectionReason, message: string) => ({ ok: false as const, reason, message });

/**
 * Captures or releases a job's hold. At most one of the two ever applies; a replay, or the other one
 * arriving later, reports the outcome that stands.
 *
 * A capture takes `amount` (default: the whole hold, at most the hold) from the balance and ends the
 * hold, so whatever it does not take is available again — in this same transaction, as one entry: the
 * capture records the credits actually taken. A release takes nothing.
 */
export async function settleIn(
  tx: Db,
  args: { jobId: string; now: Date; part?: CreditPart } & (
    { kind: 'capture'; amount?: number | undefined } | { kind: 'release' }
  ),
): Promise<Settlement> {
  const part = args.part ?? 'main';
  const asked = args.kind === 'capture' ? args.amount : undefined;
  if (asked !== undefined) assertCredits('capture amount', asked);
  // Whose lock to take: the hold's user, or the job's (a reserve may be in flight and about to commit
  // a hold — waiting on the user lock lets us see it instead of answering 'none' and missing it).
  const [owner] = await tx.query<{ user_id: string }>(
    `select user_id from credit_entries where job_id = $1 and part = $2 and kind = 'hold'
     union all select user_id from jobs where id = $1 limit 1`,
    [args.jobId, part],
  );
  if (!owner) return { applied: false, outcome: 'none' };
  await lockUser(tx, owner.user_id);

  const rows = await tx.query<{ kind: 'hold' | 'capture' | 'release'; amount: number; user_id: string }>(
    `select kind, amount, user_id from credit_entries where job_id = $1 and part = $2 order by id`,
    [args.jobId, part],
  );
  const hold = rows.find((r) => r.kind === 'hold');
  if (!hold) return { applied: false, outcome: 'none' };
  const amount = args.kind === 'capture' ? (asked ?? hold.amount) : hold.amount;
  const settled = rows.find((r) => r.kind !== 'hold');
  if (settled) {
    // A replay asks for what was captured; another amount is a bug, not a replay.
    if (settled.kind === 'capture' && args.kind === 'capture' && settled.amount !== amount) {
      throw new JobConflictError(args.jobId, `captured ${settled.amount} credits already, not ${amount}`);
    }
    return { applied: false, outcome: settled.kind === 'capture' ? 'captured' : 'released' };
  }
  if (amount > hold.amount) {
    throw new RangeError(
      `job ${args.jobId}: cannot capture ${amount} credits, more than the ${hold.amount} held`,
    );
  }

  await tx.query(
    `insert into credit_entries (user_id, kind, amount, job_id, part, created_at) values ($1, $2, $3, $4, $5, $6)`,
    [hold.user_id, args.kind, amount, args.jobId, part, args.now],
  );
  await tx.query(
    args.kind === 'capture'
      ? 'update users set balance = balance - $3, held = held - $2, open_holds = open_holds - 1 where id = $1'
      : 'update users set held = held - $2, open_holds = open_holds - 1 where id = $1',
    args.kind === 'capture' ? [hold.user_id, hold.amount, amount] : [hold.user_id, hold.amount],
  );
  return { applied: true, outcome: args.kind === 'capture' ? 'captured' : 'released' };
}
