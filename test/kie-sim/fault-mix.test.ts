/**
 * SimFaults.mix: per-task random faults drawn from the seeded PRNG. Over many tasks the fractions of
 * dropped and duplicated callbacks and of failed generations are those asked for — counted from what a
 * real HTTP receiver got and what record-info says, not from the simulator's own bookkeeping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMixSpec } from '../../src/kie-sim/fault-mix.js';
import {
  api,
  dataOf,
  generate,
  receiver,
  recordInfo,
  sim,
  sleep,
  waitFor,
  type VeoRecord,
} from './helpers.js';

const MIX = { callbackDrop: 0.3, callbackDuplicate: 0.3, failure: 0.1 };
const TASKS = 1000;
/** Three standard deviations of a fraction near 0.3 over TASKS draws (≈ 0.043). */
const TOLERANCE = 3 * Math.sqrt((0.3 * 0.7) / TASKS);

void describe('fault mix (SimFaults.mix)', () => {
  void it(`over ${TASKS} tasks: ~30 % callbacks dropped, ~30 % duplicated, ~10 % failed`, async () => {
    const rx = await receiver();
    const s = await sim({ faults: { mix: MIX } });
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++)
      ids.push(await generate(s, { prompt: `clip ${i}`, callBackUrl: `${rx.url}/cb/${i}` }));

    const records = await Promise.all(
      ids.map((id) =>
        waitFor(`task ${id} to settle`, async () => {
          const d = dataOf<VeoRecord>(await recordInfo(s, id));
          return d.successFlag !== 0 ? d : undefined;
        }),
      ),
    );
    // Dropped callbacks never come: wait until the expected total has arrived and nothing more does.
    const expectedPosts = (i: number) =>
      ({ drop: 0, duplicate: 2 })[String(s.task(ids[i]!)!.faults.callback)] ?? 1;
    const total = ids.reduce((n, _, i) => n + expectedPosts(i), 0);
    await waitFor(`${total} callbacks`, async () => (rx.seen.length >= total ? true : undefined), 15_000);
    await sleep(200);
    assert.equal(rx.seen.length, total, 'no callback beyond those the drawn faults announce');

    const received = ids.map((_, i) => rx.on(`/cb/${i}`).length);
    const fraction = (pred: (i: number) => boolean) => ids.filter((_, i) => pred(i)).length / TASKS;
    const dropped = fraction((i) => received[i] === 0);
    const duplicated = fraction((i) => received[i] === 2);
    const failed = fraction((i) => records[i]!.successFlag === 3);
    assert.ok(Math.abs(dropped - 0.3) < TOLERANCE, `dropped ${dropped}`);
    assert.ok(Math.abs(duplicated - 0.3) < TOLERANCE, `duplicated ${duplicated}`);
    assert.ok(Math.abs(failed - 0.1) < TOLERANCE, `failed ${failed}`);
    assert.ok(fraction((i) => received[i] === 1) > 0.3, 'the rest get one callback');
    // A drawn failure is KIE's "created, upstream generation failed", with its callback (when not dropped).
    for (const [i, r] of records.entries()) {
      if (r.successFlag === 1) continue;
      assert.equal(r.successFlag, 3);
      assert.equal(r.errorCode, 501);
      for (const cb of rx.on(`/cb/${i}`)) assert.equal(cb.json.code, 501);
    }
  });

  void it('draws are reproducible from the seed, leave task ids unchanged, and yield to X-Sim-Faults', async () => {
    const faultsOf = async (withMix: boolean) => {
      const s = await sim({ seed: 42, ...(withMix ? { faults: { mix: MIX } } : {}) });
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) ids.push(await generate(s, { prompt: `clip ${i}` }));
      return { ids, faults: ids.map((id) => s.task(id)!.faults) };
    };
    const a = await faultsOf(true);
    const b = await faultsOf(true);
    const plain = await faultsOf(false);
    assert.deepEqual(a.faults, b.faults);
    assert.deepEqual(a.ids, plain.ids, 'the mix draws from its own stream');
    assert.ok(
      a.faults.some((f) => f.callback === 'drop') && a.faults.some((f) => f.callback === 'duplicate'),
    );
    assert.ok(
      a.faults.every((f) => f.mix === undefined),
      'a task keeps what was drawn, not the mix',
    );

    const s = await sim({ faults: { mix: { callbackDrop: 1, failure: 1 } } });
    const own = await generate(
      s,
      {},
      { 'x-sim-faults': JSON.stringify({ callback: 'normal', outcome: 'success' }) },
    );
    assert.equal(s.task(own)!.faults.callback, 'normal');
    assert.equal(s.task(own)!.faults.outcome, 'success');
    const drawn = await generate(s);
    assert.equal(s.task(drawn)!.faults.callback, 'drop');
    assert.deepEqual(s.task(drawn)!.faults.outcome, { successFlag: 3, errorCode: 501 });
  });

  void it('POST /_sim/faults takes a mix and refuses a bad one; the --fault-mix spec parses', async () => {
    const s = await sim();
    const post = (body: unknown) =>
      fetch(`${s.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        json: (await r.json()) as { faults?: unknown; error?: string },
      }));
    const okReply = await post({ mix: MIX, responses: { generate: [{ code: 500 }] } });
    assert.equal(okReply.status, 200);
    assert.deepEqual((okReply.json.faults as { mix: unknown }).mix, MIX);
    for (const bad of [
      { mix: { callbackDrop: 1.5 } },
      { mix: { callbackDrop: 0.6, callbackDuplicate: 0.6 } },
      { mix: { lost: 0.1 } },
      { mix: [0.3] },
    ]) {
      const r = await post(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match(r.json.error ?? '', /mix/);
    }
    // The scripted 500 above is still consumed before anything is created.
    assert.equal(
      (await api(s, 'POST', '/api/v1/veo/generate', { prompt: 'x', model: 'veo3_fast' })).code,
      500,
    );

    assert.deepEqual(parseMixSpec('callbackDrop=0.3, callbackDuplicate=0.3,failure=0.1'), MIX);
    const problem = (spec: string) => {
      const parsed = parseMixSpec(spec);
      return typeof parsed === 'string' ? parsed : 'parsed';
    };
    assert.match(problem('callbackDrop=lots'), /callbackDrop/);
    assert.match(problem('drop=0.3'), /unknown key 'drop'/);
  });
});
