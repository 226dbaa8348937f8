/**
 * The ledger's invariants, re-derived from the append-only entries. Tests run this after every
 * scenario; an operator can run it against production at any time (read-only, a few scans).
 * Returns one line per violation; empty = all good.
 */
import type { Db } from '../db/index.js';

const CHECKS: ReadonlyArray<{ name: string; sql: string }> = [
  {
    name: 'user totals match the entries (balance = grants − captures, held = open holds, available ≥ 0)',
    sql: `
      with open_holds as (
        select h.user_id, sum(h.amount) as amount, count(*) as n from credit_entries h
        where h.kind = 'hold' and not exists (
          select 1 from credit_entries s where s.job_id = h.job_id and s.part = h.part and s.kind in ('capture', 'release'))
        group by h.user_id),
      moved as (
        select user_id,
          coalesce(sum(amount) filter (where kind = 'grant'), 0) - coalesce(sum(amount) filter (where kind = 'capture'), 0) as balance
        from credit_entries group by user_id)
      select format('user %s: balance %s (entries say %s), held %s (entries say %s), open holds %s (entries say %s)',
          u.id, u.balance, coalesce(m.balance, 0), u.held, coalesce(o.amount, 0), u.open_holds, coalesce(o.n, 0)) as v
      from users u left join moved m on m.user_id = u.id left join open_holds o on o.user_id = u.id
      where u.balance <> coalesce(m.balance, 0) or u.held <> coalesce(o.amount, 0)
         or u.open_holds <> coalesce(o.n, 0) or u.balance - u.held < 0`,
  },
  {
    name: 'per job and part: one hold, then at most one capture-or-release of the same user; a release of the whole hold, a capture of at most it',
    sql: `
      select format('job %s: part %s, %s hold(s), %s capture/release(s), %s user(s), amounts %s',
          job_id, part, count(*) filter (where kind = 'hold'), count(*) filter (where kind <> 'hold'),
          count(distinct user_id), string_agg(kind || ' ' || amount, ', ' order by id)) as v
      from credit_entries where job_id is not null group by job_id, part
      having count(*) filter (where kind = 'hold') <> 1
          or count(*) filter (where kind <> 'hold') > 1
          or count(distinct user_id) > 1
          or min(id) filter (where kind = 'hold') > coalesce(min(id) filter (where kind <> 'hold'), min(id))
          or coalesce(min(amount) filter (where kind = 'release') <> max(amount) filter (where kind = 'hold'), false)
          or coalesce(max(amount) filter (where kind = 'capture') > max(amount) filter (where kind = 'hold'), false)`,
  },
  {
    // price = what was held. A capture of less than that is the 1080p part given back, so only for a
    // job that asked for 1080p and did not get it — or a job canceled after KIE accepted its task,
    // charged under the cancel policy (a capture of at most the hold: the check above).
    name: 'job records agree with their credits',
    sql: `
      select format('job %s is %s (price %s, hd %s/%s, user %s) but its credits are: %s', j.id, j.state, j.price,
          coalesce(j.request->>'hd', '?'), coalesce(j.hd_state, '-'), j.user_id,
          coalesce((select string_agg(e.kind || ' ' || e.amount || ' of ' || e.user_id, ', ' order by e.id)
                    from credit_entries e where e.job_id = j.id and e.part = 'main'), 'none')) as v
      from jobs j
      left join credit_entries h on h.job_id = j.id and h.part = 'main' and h.kind = 'hold'
      left join credit_entries s on s.job_id = j.id and s.part = 'main' and s.kind in ('capture', 'release')
      where (h.id is not null and (h.amount <> j.price or h.user_id <> j.user_id))
         or (j.state = 'succeeded' and s.kind is distinct from 'capture')
         or (s.kind = 'capture' and s.amount < h.amount and j.state = 'succeeded'
             and not (j.request->>'hd' = 'true' and j.hd_state in ('not_supported', 'unavailable')))
         or (j.state in ('failed', 'timed_out') and h.id is not null and s.kind is distinct from 'release')
         or (j.state = 'canceled' and h.id is not null and s.kind is distinct from 'release'
             and not (s.kind = 'capture' and j.kie_task_id is not null))
         or (j.state = 'rejected' and h.id is not null)
         or (j.state not in ('succeeded', 'failed', 'canceled', 'timed_out', 'rejected') and s.id is not null)
         or ((j.finished_at is null) <> (j.state not in ('succeeded', 'failed', 'canceled', 'timed_out', 'rejected')))`,
  },
  {
    // An on-demand 1080p (src/ledger/hd-on-demand.ts): held while pending, captured in full exactly
    // when its file was delivered, released when given up on — only for a succeeded job of the same
    // user that did not ask for its 1080p at creation.
    name: 'on-demand 1080p credits agree with their job',
    sql: `
      select format('job %s (%s, hd asked %s, hd %s, 1080p file %s) has on-demand 1080p credits: %s', h.job_id,
          coalesce(j.state, 'missing'), coalesce(j.request->>'hd', '?'), coalesce(j.hd_state, '-'),
          coalesce((select 'yes' from jsonb_array_elements(j.files) f where f->>'variant' = '1080p' limit 1), 'no'),
          (select string_agg(e.kind || ' ' || e.amount || ' of ' || e.user_id, ', ' order by e.id)
           from credit_entries e where e.job_id = h.job_id and e.part = 'hd')) as v
      from credit_entries h
      left join jobs j on j.id = h.job_id
      left join credit_entries s on s.job_id = h.job_id and s.part = 'hd' and s.kind in ('capture', 'release')
      where h.part = 'hd' and h.kind = 'hold' and (
            j.id is null or j.state <> 'succeeded' or j.request->>'hd' = 'true' or h.user_id <> j.user_id
         or (s.id is null and j.hd_state is distinct from 'pending')
         or (s.kind = 'capture' and (s.amount <> h.amount or j.hd_state is distinct from 'ready'
             or not exists (select 1 from jsonb_array_elements(j.files) f where f->>'variant' = '1080p')))
         or (s.kind = 'release' and j.hd_state is distinct from 'unavailable'))`,
  },
];

export async function checkInvariants(db: Db): Promise<string[]> {
  const violations: string[] = [];
  for (const check of CHECKS) {
    for (const row of await db.query<{ v: string }>(check.sql)) violations.push(`${check.name}: ${row.v}`);
  }
  return violations;
}
