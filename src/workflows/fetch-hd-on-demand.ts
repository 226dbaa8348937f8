/**
 * fetchHdOnDemand: the 1080p of a video that succeeded without one asked for, fetched when the seed
 * app's front end asks (GET /api/jobs/veo/:taskId/1080p). One per job (workflow id from the job id,
 * started with USE_EXISTING: concurrent asks join it), with the same activities as generateVideo's
 * 1080p step and the ledger's hold → capture | release for the price (src/ledger/hd-on-demand.ts):
 *
 *   hold PRICE_HD (job's 1080p pending) → get 1080p (HD window) → archive → capture + file (ready)
 *                                        └ refused / not ready / not archived → release + note (unavailable)
 *
 * The video itself is never touched: it succeeded and stays so, whatever happens here.
 */
import { CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { hdReservationUpdate } from './definitions.js';
import { ledger, remoteActivities, waitForHd } from './generate-video.js';
import { failureToJobError } from './job-errors.js';
import {
  DEFAULT_TIMING,
  type HdOnDemandInput,
  type HdOnDemandResult,
  type HdReservation,
  type Timing,
} from './job-types.js';

export async function fetchHdOnDemand(input: HdOnDemandInput): Promise<HdOnDemandResult> {
  const timing: Timing = { ...DEFAULT_TIMING, ...input.timing };
  const { kie, archive } = remoteActivities(timing);
  const { jobId } = input;
  let reservation: HdReservation | undefined = undefined;
  setHandler(hdReservationUpdate, async () => {
    await condition(() => reservation !== undefined);
    return reservation!;
  });

  // Not cancellable, as generateVideo's: a cancel mid-call must not leave a hold we never saw.
  const reserved = await CancellationScope.nonCancellable(() =>
    ledger.reserveHdOnDemand.executeWithOptions({ summary: `hold ${input.price} credits for the 1080p` }, [
      { jobId, userId: input.userId, amount: input.price },
    ]),
  );
  reservation = reserved;
  if (reserved.status === 'settled') return { hd: reserved.hd, note: null };
  if (reserved.status !== 'held') return { hd: 'not_requested', note: reserved.message };

  let note: string;
  let canceled: Error | null = null;
  try {
    const url = await waitForHd({ kie, timing }, input.taskId);
    if (url) {
      const file = await archive.archiveFile.executeWithOptions({ summary: 'archive 1080p' }, [
        { jobId, variant: '1080p', url },
      ]);
      await CancellationScope.nonCancellable(() =>
        ledger.deliverHdOnDemand.executeWithOptions({ summary: `capture ${input.price} credits (1080p)` }, [
          { jobId, file },
        ]),
      );
      return { hd: 'ready', note: null };
    }
    note = `1080p not ready within ${Math.round(timing.hdWindowMs / 1000)} s`;
  } catch (err) {
    // KIE refused (not eligible, fallback video…), kept failing, or the file could not be archived.
    if (isCancellation(err)) canceled = err as Error;
    note = canceled ? 'canceled' : failureToJobError(err).message;
  }
  await CancellationScope.nonCancellable(() =>
    ledger.abandonHdOnDemand.executeWithOptions({ summary: 'release the 1080p hold' }, [{ jobId, note }]),
  );
  if (canceled) throw canceled;
  return { hd: 'unavailable', note };
}
