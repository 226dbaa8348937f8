import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes that make jobs findable in the Temporal UI and CLI (docs/architecture.md#job-flow). */
export const VideoUserId = defineSearchAttributeKey('VideoUserId', SearchAttributeType.KEYWORD);
export const VideoState = defineSearchAttributeKey('VideoState', SearchAttributeType.KEYWORD);
export const VideoModel = defineSearchAttributeKey('VideoModel', SearchAttributeType.KEYWORD);

export const videoSearchAttributes = [VideoUserId, VideoState, VideoModel] as const;
