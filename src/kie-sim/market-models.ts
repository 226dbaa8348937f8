/**
 * The Market models the simulator serves, as KIE's model pages document them (docs/kie-api.md#market-models):
 * the fields of each model's `input` and their limits, what a request makes (how many images in which
 * format, how many seconds of video), and what it costs. Prices are per unit — an image made, or a
 * second of video made — and are options (SimOptions.marketPrices); the defaults here are KIE's price
 * list as third-party copies of it give it, since KIE's API documentation states no price.
 */
import type { ImageFormat } from './media.js';

/**
 * One documented field of a Market model's `input` (checked by validation.ts). Absent or null optional fields
 * pass; fields a model does not document are ignored, as for the other endpoints.
 */
export type InputRule =
  | { type: 'text'; maxLength: number; required?: true }
  | { type: 'enum'; values: readonly string[]; required?: true }
  | { type: 'boolean'; required?: true }
  /** An array of http(s) URLs (input images), at most `maxItems`; when required, at least one. */
  | { type: 'urls'; maxItems: number; required?: true }
  | { type: 'strings'; maxItems: number }
  /** imagen4's seed: a string in the current docs, an integer in older ones; both accepted. */
  | { type: 'seed'; maxLength: number };

export type MarketModelName =
  | 'google/nano-banana'
  | 'google/nano-banana-edit'
  | 'google/imagen4'
  | 'google/imagen4-fast'
  | 'google/imagen4-ultra'
  | 'kling-2.6/text-to-video'
  | 'kling-2.6/image-to-video'
  | 'sora-2-image-to-video';

export interface MarketModelSpec {
  output: 'image' | 'video';
  /** The documented fields of `input`. */
  input: Readonly<Record<string, InputRule>>;
  /** What a price is per: one image made, or one second of video made. */
  unit: 'image' | 'second';
  /** Default credits per unit. */
  price: number;
  /** Units a (valid) request makes: its number of images, or its video's length in seconds. */
  amount(input: Record<string, unknown>): number;
  /** A multiplier on the price for options that cost more (Kling's sound). */
  priceFactor?(input: Record<string, unknown>): number;
  /** The format of the images made; `fallback` (SimOptions.marketImageFormat) where the model has no choice. */
  imageFormat?(input: Record<string, unknown>, fallback: ImageFormat): ImageFormat;
  /** Sora: resultJson also has `resultWaterMarkUrls`, and recordInfo a `progress` (0–100). */
  sora?: true;
}

const text = (maxLength: number, required?: true): InputRule => ({
  type: 'text',
  maxLength,
  ...(required ? { required } : {}),
});
const oneOf = (values: readonly string[], required?: true): InputRule => ({
  type: 'enum',
  values,
  ...(required ? { required } : {}),
});
const bool = (required?: true): InputRule => ({ type: 'boolean', ...(required ? { required } : {}) });
const images = (maxItems: number): InputRule => ({ type: 'urls', maxItems, required: true });

/** Nano Banana's ratios, both as `aspect_ratio` and as the deprecated `image_size` it replaced. */
const NANO_RATIOS = ['1:1', '9:16', '16:9', '3:4', '4:3', '3:2', '2:3', '5:4', '4:5', '21:9', 'auto'];
const IMAGEN_RATIOS = ['1:1', '16:9', '9:16', '3:4', '4:3', 'auto'];

const nanoBananaInput = {
  prompt: text(5000, true),
  output_format: oneOf(['png', 'jpeg']),
  aspect_ratio: oneOf(NANO_RATIOS),
  image_size: oneOf(NANO_RATIOS),
};
const nanoBananaFormat = (input: Record<string, unknown>): ImageFormat =>
  input.output_format === 'jpeg' ? 'jpeg' : 'png';

const imagen4Input = {
  prompt: text(5000, true),
  negative_prompt: text(5000),
  aspect_ratio: oneOf(IMAGEN_RATIOS),
  seed: { type: 'seed', maxLength: 500 } satisfies InputRule,
};
const imagen4 = (price: number): MarketModelSpec => ({
  output: 'image',
  input: imagen4Input,
  unit: 'image',
  price,
  amount: () => 1,
  // The imagen4 pages have no output_format and do not say what comes back.
  imageFormat: (_input, fallback) => fallback,
});

const one = () => 1;
/** A numeric enum field's value (they are strings: "5", "10"), or its documented default. */
const numberOf = (field: string, fallback: number) => (input: Record<string, unknown>) =>
  input[field] === undefined || input[field] === null ? fallback : Number(input[field]);
const KLING_DURATIONS = ['5', '10'];
/** KIE's price list doubles a Kling 2.6 clip's price with sound. */
const klingSound = (input: Record<string, unknown>) => (input.sound === true ? 2 : 1);

export const MARKET_MODELS: Readonly<Record<MarketModelName, MarketModelSpec>> = {
  'google/nano-banana': {
    output: 'image',
    input: { ...nanoBananaInput, nsfw_checker: bool() },
    unit: 'image',
    price: 4,
    amount: one,
    imageFormat: nanoBananaFormat,
  },
  'google/nano-banana-edit': {
    output: 'image',
    input: { ...nanoBananaInput, image_urls: images(10) },
    unit: 'image',
    price: 4,
    amount: one,
    imageFormat: nanoBananaFormat,
  },
  'google/imagen4': imagen4(8),
  'google/imagen4-ultra': imagen4(12),
  'google/imagen4-fast': {
    ...imagen4(4),
    // num_images is on the older imagen4-fast page only; the simulator makes that many images.
    input: { ...imagen4Input, num_images: oneOf(['1', '2', '3', '4']) },
    amount: numberOf('num_images', 1),
  },
  'kling-2.6/text-to-video': {
    output: 'video',
    // The page lists sound, aspect_ratio and duration as required (with defaults); required here.
    input: {
      prompt: text(1000, true),
      sound: bool(true),
      aspect_ratio: oneOf(['1:1', '16:9', '9:16'], true),
      duration: oneOf(KLING_DURATIONS, true),
    },
    unit: 'second',
    // 55 credits per 5 s without sound.
    price: 11,
    amount: numberOf('duration', 5),
    priceFactor: klingSound,
  },
  'kling-2.6/image-to-video': {
    output: 'video',
    input: {
      prompt: text(1000, true),
      image_urls: images(1),
      sound: bool(true),
      duration: oneOf(KLING_DURATIONS, true),
    },
    unit: 'second',
    price: 11,
    amount: numberOf('duration', 5),
    priceFactor: klingSound,
  },
  'sora-2-image-to-video': {
    output: 'video',
    input: {
      prompt: text(10000, true),
      image_urls: images(1),
      aspect_ratio: oneOf(['portrait', 'landscape']),
      // Called a number of frames, but its values are the clip's seconds.
      n_frames: oneOf(['10', '15']),
      remove_watermark: bool(),
      character_id_list: { type: 'strings', maxItems: 5 },
    },
    unit: 'second',
    // 30 credits for the default 10 s clip.
    price: 3,
    amount: numberOf('n_frames', 10),
    sora: true,
  },
};

export const MARKET_MODEL_NAMES = Object.keys(MARKET_MODELS) as MarketModelName[];

/** Credits a request costs: `price` per unit, times the units it makes, times its option factor. */
export function marketPrice(spec: MarketModelSpec, input: Record<string, unknown>, price: number): number {
  return price * spec.amount(input) * (spec.priceFactor?.(input) ?? 1);
}
