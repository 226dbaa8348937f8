/**
 * The per-task random faults of SimFaults.mix: a task's callback fault and outcome drawn from the
 * simulator's seeded PRNG when it is created, so a long run sees a steady fraction of dropped and
 * duplicated callbacks and of failed generations, reproducible from the seed.
 */
import type { Random } from './prng.js';
import type { FaultMix, SimFaults } from './types.js';

/** KIE's "created, upstream generation failed" (docs/kie-api.md#record-info, successFlag 3). */
const DRAWN_FAILURE = { successFlag: 3, errorCode: 501 } as const;

const KEYS = ['callbackDrop', 'callbackDuplicate', 'failure'] as const;

/**
 * The faults drawn for one new task. Two draws per task whatever the mix says, so that changing one
 * probability does not shift which tasks the other picks.
 */
export function drawMixedFaults(
  mix: FaultMix | undefined,
  rng: Random,
): Pick<SimFaults, 'callback' | 'outcome'> {
  if (!mix) return {};
  const callbackDraw = rng.next();
  const outcomeDraw = rng.next();
  const drop = mix.callbackDrop ?? 0;
  const duplicate = mix.callbackDuplicate ?? 0;
  const callback = callbackDraw < drop ? 'drop' : callbackDraw < drop + duplicate ? 'duplicate' : undefined;
  return {
    ...(callback ? { callback } : {}),
    ...(outcomeDraw < (mix.failure ?? 0) ? { outcome: { ...DRAWN_FAILURE } } : {}),
  };
}

/** Checks a mix from the wire; returns an error message or null. */
export function mixProblem(value: unknown): string | null {
  if (value === undefined) return null;
  const shape = `mix must be an object of ${KEYS.join(', ')}: probabilities in [0, 1]`;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return shape;
  const m = value as Record<string, unknown>;
  for (const [key, p] of Object.entries(m)) {
    if (!(KEYS as readonly string[]).includes(key)) return `${shape} (unknown key '${key}')`;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) return `${shape} (${key}: ${JSON.stringify(p)})`;
  }
  const callbacks = ((m.callbackDrop as number) ?? 0) + ((m.callbackDuplicate as number) ?? 0);
  if (callbacks > 1) return 'mix: callbackDrop + callbackDuplicate must not exceed 1';
  return null;
}

/** `callbackDrop=0.3,callbackDuplicate=0.3,failure=0.1` (the simulator's --fault-mix) → a mix, or an error message. */
export function parseMixSpec(spec: string): FaultMix | string {
  const mix: Record<string, number> = {};
  for (const part of spec.split(',').filter((p) => p.trim() !== '')) {
    const [key, raw] = part.split('=').map((x) => x.trim());
    mix[key ?? ''] = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  }
  return mixProblem(mix) ?? mix;
}
