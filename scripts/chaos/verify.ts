/**
 * What a chaos run must end with, checked from outside: every job terminal (its view, through the
 * API); no hold open; no credit lost or moved twice — the ledger's invariants, each job's captures
 * equal to what its view says it was charged, each balance = grants − its jobs' captures; and at most
 * one KIE generation per job (the simulator's task list, by the job's own prompt).
 */
import { api } from '../cluster-run/api.js';
import { kieGenerations } from '../cluster-run/kie-generations.js';
import { auditLedger } from '../cluster-run/ledger-audit.js';
import type { RunUser } from '../cluster-run/users.js';
import { TERMINAL } from '../cluster-run/job-states.js';
import type { ChaosJob } from './jobs.js';

export interface Verdict {
  lines: string[];
  violations: string[];
}

interface View {
  state: string;
  charged: number | null;
  kieTaskId: string | null;
  error: { source?: string; code?: string } | null;
}

const count = (values: string[]) => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

export async function verifyRun(args: {
  apiUrl: string;
  simulatorUrl: string;
  databaseUrl: string;
  jobs: ChaosJob[];
  expectedJobs: number;
  users: RunUser[];
}): Promise<Verdict> {
  const { jobs, users } = args;
  const lines: string[] = [];
  const violations: string[] = [];

  // 1. Every job terminal, as its owner sees it.
  const views = new Map<string, View>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < jobs.length) {
        const j = jobs[next++]!;
        const r = await api(args.apiUrl, 'GET', `/v1/videos/${j.id}`, j.user.key);
        if (r.status === 200) views.set(j.id, r.json as View);
        else violations.push(`job ${j.index} (${j.id}): GET answered ${r.status}`);
      }
    }),
  );
  const terminal = jobs.filter((j) => TERMINAL.has(views.get(j.id)?.state ?? ''));
  if (jobs.length < args.expectedJobs)
    violations.push(`${args.expectedJobs - jobs.length} job(s) never accepted`);
  for (const j of jobs)
    if (!terminal.includes(j)) violations.push(`job ${j.index} (${j.id}) is still ${views.get(j.id)?.state}`);
  lines.push(`jobs terminal          ${terminal.length} of ${args.expectedJobs}`);
  lines.push(
    `  outcomes             ${JSON.stringify(count(jobs.map((j) => views.get(j.id)?.state ?? '?')))}`,
  );
  const outcome = (j: ChaosJob) => {
    const v = views.get(j.id);
    return v?.error?.source ? `${v.state} (${v.error.source}: ${v.error.code})` : (v?.state ?? '?');
  };
  lines.push(
    `  terminated workflows ${JSON.stringify(count(jobs.filter((j) => j.terminated).map(outcome)))}`,
  );
  lines.push(
    `  canceled by the user ${JSON.stringify(count(jobs.filter((j) => j.cancelRequested).map(outcome)))}`,
  );

  // 2. Holds, invariants, and every credit accounted for.
  const ledger = await auditLedger(args.databaseUrl);
  if (ledger.openHolds.count)
    violations.push(`${ledger.openHolds.count} hold(s) still open (${ledger.openHolds.credits} credits)`);
  lines.push(`open holds             ${ledger.openHolds.count}`);
  for (const v of ledger.violations) violations.push(`ledger: ${v}`);
  const mismatches: string[] = [];
  const capturedByUser = new Map<string, number>();
  for (const j of jobs) {
    const captured = ledger.capturedByJob.get(j.id) ?? 0;
    capturedByUser.set(j.user.id, (capturedByUser.get(j.user.id) ?? 0) + captured);
    const v = views.get(j.id);
    if (!v) continue;
    // A job's view says what it was charged; one without (not succeeded) was charged nothing — but a
    // cancel after KIE started may keep the model price (the cancel policy), still in the ledger's rules.
    const charged = v.charged ?? (v.state === 'canceled' ? captured : 0);
    if (captured !== charged)
      mismatches.push(
        `job ${j.index} (${j.id}, ${v.state}): captured ${captured}, its view says charged ${v.charged}`,
      );
  }
  for (const u of users) {
    const r = await api(args.apiUrl, 'GET', '/v1/credits', u.key);
    const b = r.json as { balance: number; held: number };
    const expected = u.granted - (capturedByUser.get(u.id) ?? 0);
    if (r.status !== 200 || b.balance !== expected || b.held !== 0)
      mismatches.push(`user ${u.id}: balance ${b.balance} held ${b.held}, expected ${expected} held 0`);
  }
  violations.push(...mismatches);
  lines.push(
    `credits lost or moved twice ${ledger.violations.length + mismatches.length}` +
      ` (ledger invariants violated ${ledger.violations.length}, jobs or balances off ${mismatches.length})`,
  );

  // 3. KIE generated at most once per job, and the job knows the task it made.
  const kie = await kieGenerations(args.simulatorUrl);
  const perJob = jobs.map((j) => kie.byPrompt.get(j.prompt) ?? []);
  const known = new Set(jobs.map((j) => j.prompt));
  for (const [prompt, ids] of kie.byPrompt)
    if (!known.has(prompt))
      violations.push(`KIE got ${ids.length} generation(s) of "${prompt}", no job's prompt`);
  for (const [i, ids] of perJob.entries()) {
    const j = jobs[i]!;
    if (ids.length > 1)
      violations.push(`job ${j.index} (${j.id}): KIE generated ${ids.length} times: ${ids.join(', ')}`);
    const recorded = views.get(j.id)?.kieTaskId;
    if (recorded && !ids.includes(recorded))
      violations.push(`job ${j.index} (${j.id}) names KIE task ${recorded}, which KIE never created`);
  }
  const max = Math.max(0, ...perJob.map((ids) => ids.length));
  const stats = (await (await fetch(`${args.simulatorUrl}/_sim/stats`)).json()) as { generateCalls: number };
  lines.push(
    `KIE generations per job ≤ ${max}: ${JSON.stringify(count(perJob.map((ids) => String(ids.length))))} ` +
      `(${kie.total} generations; ${stats.generateCalls} generate calls, scripted refusals included)`,
  );
  return { lines, violations };
}
