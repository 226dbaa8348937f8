import type { VideoRequest } from '../../src/domain/index.js';

export function videoRequest(r: Partial<VideoRequest> = {}): VideoRequest {
  return {
    prompt: 'A red fox running through fresh snow, golden hour',
    model: 'veo3_fast',
    generationType: 'TEXT_2_VIDEO',
    imageUrls: [],
    aspectRatio: '16:9',
    enableTranslation: true,
    hd: false,
    ...r,
  };
}
