/** What a recorded event history says about the workflow's versions: its patch markers, its version upserts. */
import type { History } from '@temporalio/common/lib/proto-utils.js';

type Events = History['events'];

/** The ids of the patch markers in the history, in order (Core records each taken `patched()` as one). */
export function patchMarkerIds(events: Events): string[] {
  return (events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    if (!data) throw new Error('a patch marker without its data');
    return [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id];
  });
}

/** How many times the history upserts TemporalChangeVersion (Core does once per patch taken). */
export function versionUpserts(events: Events): number {
  return (events ?? []).filter(
    (e) =>
      e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion,
  ).length;
}
