/**
 * What the ledger's calls cost this process, one after another on an idle database (measured, not
 * asserted): a create's two statements (the key's lookup, the hold), a job's ledger work from hold to
 * capture (the hold, KIE's window granting its slot, the submission's outcome, the capture), and one
 * wait for KIE's window (the transaction a queued job's submit runs while the window is full). Prints
 * CPU and wall time per call; the ledger invariants after.
 *
 *   npm run bench:ledger -- [--calls 2000] [--database-url postgres://…]
 *
 * On PGlite the CPU is the database's own work; on a server it is the driver's (the server's comes on top).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CreateVideoBody } from '../src/api/schemas.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { createLedger } from '../src/ledger/index.js';
import { priceOf } from '../src/services/pricing.js';
import { newJobId } from '../src/services/video-jobs.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    'database-url': { type: 'string' },
  },
});
const calls = Number(values.calls);
const url = values['database-url'];
const dataDir = url ? null : await mkdtemp(path.join(tmpdir(), 'veo-bench-ledger-'));
const schema = `bench_ledger_${process.pid}`;
const db = await openDatabase(url ? { url, schema } : { dataDir: dataDir! });
try {
  const ledger = await createLedger(db);
  const { user, key } = await ledger.createUserWithKey({ name: 'bench-ledger' });
  const request = CreateVideoBody.parse({ model: 'veo3_fast', prompt: 'Benchmark clip' });
  const { price } = priceOf(loadConfig({}).prices, request);
  // Two of the cases hold a job per call (warm-up included: 2.5 × calls), plus the one left queued.
  await ledger.grant({ userId: user.id, amount: price * (3 * calls + 10), idempotencyKey: 'bench' });
  const hold = async () => {
    const id = newJobId(user.id);
    const job = { id, userId: user.id, model: request.model, request, price, state: 'queued' as const };
    const { reservation } = await ledger.reserveAndRecordJobWithRecord({ job, amount: price });
    if (!reservation.ok) throw new Error(`the hold was refused: ${reservation.reason}`);
    return id;
  };
  const queued = await hold();

  const cases: Array<[string, () => Promise<unknown>]> = [
    [
      "a create's statements (key lookup, hold)",
      async () => {
        if (!(await ledger.authenticateApiKey(key.key))) throw new Error('the key was not found');
        await hold();
      },
    ],
    [
      'a job from hold to capture',
      async () => {
        const id = await hold();
        const slot = await ledger.acquireKieSlot(id, { max: Number.MAX_SAFE_INTEGER, windowMs: 10_500 });
        if (slot.kind !== 'granted') throw new Error(`no slot: ${slot.kind}`);
        await ledger.recordKieSubmission(slot.slotId, 'accepted', `task_${id}`);
        await ledger.finalizeJob({ jobId: id, patch: {} });
      },
    ],
    [
      "a wait for KIE's window (full)",
      async () => {
        const slot = await ledger.acquireKieSlot(queued, { max: 0, windowMs: 10_500 });
        if (slot.kind !== 'wait') throw new Error(`expected to wait, got ${slot.kind}`);
      },
    ],
  ];
  console.log(`${calls} calls each, one at a time, after ${calls / 4} to warm up; ledger on ${db.kind}`);
  for (const [label, call] of cases) {
    for (let i = 0; i < calls / 4; i++) await call();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await call();
    const used = process.cpuUsage(cpu);
    const perCall = (ms: number) => `${(ms / calls).toFixed(2)} ms`;
    console.log(
      `  ${label.padEnd(42)}CPU ${perCall((used.user + used.system) / 1000)}   wall ${perCall(performance.now() - t0)}`,
    );
  }
  const invariants = await ledger.checkInvariants();
  console.log(
    `  ${'ledger invariants'.padEnd(42)}${invariants.length === 0 ? 'hold' : invariants.join('; ')}`,
  );
} finally {
  if (url) await db.exec(`drop schema ${schema} cascade`);
  await db.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
