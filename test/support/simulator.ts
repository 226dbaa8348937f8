/**
 * The fast simulator preset: lifecycles in a few hundred ms, a fixed seed, callbacks retried at once.
 * Tests of the simulator and of the KIE client use it as is (with their own API key); a whole stack
 * (support/stack.ts) slows the lifecycles a little, so each of the workflow's stages can be observed.
 */
import type { SimOptions } from '../../src/kie-sim/index.js';

export const FAST_SIM = {
  seed: 7,
  durationsMs: { veo3: 150, veo3_fast: 150, veo3_lite: 150, extend: 150, fourK: 250, market: 150 },
  hd1080DelayMs: 250,
  callbackRetryDelayMs: 20,
} satisfies SimOptions;
