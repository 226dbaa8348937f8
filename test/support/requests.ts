import type { MarketRequest, VideoRequest } from '../../src/domain/index.js';

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

/** A Market request as the API's body schema would produce it (defaults filled in). */
export function marketRequest(r: Partial<MarketRequest> = {}): MarketRequest {
  return {
    api: 'market',
    model: 'nano-banana',
    mode: 'text-to-image',
    prompt: 'A lighthouse at dawn',
    imageUrls: [],
    options: { outputFormat: 'png', aspectRatio: '1:1' },
    ...r,
  };
}
