/**
 * Every example payload of docs/kie-api.md, and the seed-only shapes of docs/kie-api.md#discrepancies-and-choices, decoded through the client's
 * own decoding path to the expected normalised value. One fixture file per payload under
 * test/fixtures/kie/; the last test proves no fixture is left without an expectation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackCases } from './expected/callbacks.js';
import { commonAndMarketCases } from './expected/common-and-market-replies.js';
import { veoReplyCases } from './expected/veo-replies.js';
import { fixtureNames, loadFixture, type FixtureCase } from './fixtures.js';

const groups: Record<string, FixtureCase[]> = {
  'Veo replies': veoReplyCases,
  'credits, download-url and Market replies': commonAndMarketCases,
  callbacks: callbackCases,
};

for (const [group, cases] of Object.entries(groups)) {
  void describe(group, () => {
    for (const c of cases) {
      void it(c.fixture, () => {
        assert.deepEqual(c.decode(loadFixture(c.fixture)), c.expected);
      });
    }
  });
}

void describe('fixture coverage', () => {
  void it('every fixture file has exactly one expectation', () => {
    const covered = Object.values(groups).flatMap((cases) => cases.map((c) => c.fixture));
    assert.deepEqual([...covered].sort(), fixtureNames());
  });
});
