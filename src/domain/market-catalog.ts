/**
 * The Market models we sell (KIE's jobs API, docs/kie-api.md#market): what each makes, in which modes,
 * which inputs it takes with their limits, and how its price scales. One table: the API validates
 * requests from it and publishes it (GET /v1/models), the KIE activity turns a request into KIE's
 * createTask body with it, the workflow reads a job's kind from it. Prices themselves are config
 * (src/config.ts), never here. Plain data and functions, no zod: the workflow bundle imports it.
 */

export const MARKET_MODEL_IDS = ['nano-banana', 'imagen4', 'kling-2.6', 'sora-2'] as const;
export type MarketModel = (typeof MARKET_MODEL_IDS)[number];

export const MEDIA_KINDS = ['image', 'video'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export const MARKET_MODES = ['text-to-image', 'image-to-image', 'text-to-video', 'image-to-video'] as const;
export type MarketMode = (typeof MARKET_MODES)[number];

/** A value of a model's option, as the request carries it and KIE receives it. */
export type OptionValue = string | number | boolean;

/**
 * One input a model accepts beyond the prompt and images: our camelCase name → KIE's field. An option
 * with a default is always sent (KIE requires some of them); `modes` limits it to some of the model's
 * modes; `alsoAs` sends it under a second, older field name KIE still reads.
 */
export type OptionSpec = {
  kieField: string;
  alsoAs?: string;
  description: string;
  modes?: readonly MarketMode[];
} & (
  | { type: 'enum'; values: readonly string[]; default?: string }
  /** `asString`: KIE's field is a string holding the number. */
  | { type: 'integer'; min: number; max: number; default?: number; asString?: boolean }
  | { type: 'boolean'; default?: boolean }
  | { type: 'text'; maxLength: number }
);

export interface MarketModelSpec {
  id: MarketModel;
  name: string;
  kind: MediaKind;
  /** KIE's model id per mode, and how many image URLs the mode takes (image_urls). */
  modes: Partial<Record<MarketMode, { kieModel: string; images: { min: number; max: number } }>>;
  promptMaxLength: number;
  options: Readonly<Record<string, OptionSpec>>;
  /**
   * What the configured price is multiplied by for these options (KIE bills the same way: a longer
   * video, sound); the product is rounded up to whole credits. 1 for the defaults.
   */
  priceFactor(options: Readonly<Record<string, OptionValue>>): number;
  /** What the configured price buys, for people (GET /v1/models). */
  priceUnit: string;
}

const IMAGE_SIZES = [
  '1:1',
  '9:16',
  '16:9',
  '3:4',
  '4:3',
  '3:2',
  '2:3',
  '5:4',
  '4:5',
  '21:9',
  'auto',
] as const;

export const MARKET_MODELS: Readonly<Record<MarketModel, MarketModelSpec>> = {
  'nano-banana': {
    id: 'nano-banana',
    name: 'Nano Banana',
    kind: 'image',
    modes: {
      'text-to-image': { kieModel: 'google/nano-banana', images: { min: 0, max: 0 } },
      'image-to-image': { kieModel: 'google/nano-banana-edit', images: { min: 1, max: 10 } },
    },
    promptMaxLength: 5000,
    options: {
      outputFormat: {
        kieField: 'output_format',
        type: 'enum',
        values: ['png', 'jpeg'],
        default: 'png',
        description: 'Image file format',
      },
      aspectRatio: {
        kieField: 'aspect_ratio',
        // Older pages and most clients send image_size; KIE now calls it deprecated but reads it.
        alsoAs: 'image_size',
        type: 'enum',
        values: IMAGE_SIZES,
        default: '1:1',
        description: 'Aspect ratio of the image',
      },
    },
    priceFactor: () => 1,
    priceUnit: 'one image',
  },
  imagen4: {
    id: 'imagen4',
    name: 'Imagen 4',
    kind: 'image',
    modes: { 'text-to-image': { kieModel: 'google/imagen4', images: { min: 0, max: 0 } } },
    promptMaxLength: 5000,
    options: {
      aspectRatio: {
        kieField: 'aspect_ratio',
        type: 'enum',
        values: ['1:1', '16:9', '9:16', '3:4', '4:3', 'auto'],
        default: '1:1',
        description: 'Aspect ratio of the image',
      },
      negativePrompt: {
        kieField: 'negative_prompt',
        type: 'text',
        maxLength: 5000,
        description: 'What the image should not show',
      },
      // KIE's imagen4 takes the seed as a string (≤ 500 characters); a number is what people mean.
      seed: {
        kieField: 'seed',
        type: 'integer',
        min: 0,
        max: 2_147_483_647,
        asString: true,
        description: 'Random seed',
      },
    },
    priceFactor: () => 1,
    priceUnit: 'one image',
  },
  'kling-2.6': {
    id: 'kling-2.6',
    name: 'Kling 2.6',
    kind: 'video',
    modes: {
      'text-to-video': { kieModel: 'kling-2.6/text-to-video', images: { min: 0, max: 0 } },
      'image-to-video': { kieModel: 'kling-2.6/image-to-video', images: { min: 1, max: 1 } },
    },
    promptMaxLength: 1000,
    options: {
      duration: {
        kieField: 'duration',
        type: 'enum',
        values: ['5', '10'],
        default: '5',
        description: 'Length in seconds',
      },
      aspectRatio: {
        kieField: 'aspect_ratio',
        type: 'enum',
        values: ['1:1', '16:9', '9:16'],
        default: '16:9',
        // image-to-video has no such field: the video follows the image.
        modes: ['text-to-video'],
        description: 'Aspect ratio (text-to-video; image-to-video follows the image)',
      },
      sound: {
        kieField: 'sound',
        type: 'boolean',
        default: false,
        description: 'Generate sound with the video (KIE bills it double)',
      },
    },
    priceFactor: (o) => (o.duration === '10' ? 2 : 1) * (o.sound === true ? 2 : 1),
    priceUnit: '5 s of video without sound (10 s: ×2, sound: ×2)',
  },
  'sora-2': {
    id: 'sora-2',
    name: 'Sora 2',
    kind: 'video',
    modes: { 'image-to-video': { kieModel: 'sora-2-image-to-video', images: { min: 1, max: 1 } } },
    promptMaxLength: 10000,
    options: {
      aspectRatio: {
        kieField: 'aspect_ratio',
        type: 'enum',
        values: ['portrait', 'landscape'],
        default: 'landscape',
        description: 'Portrait or landscape',
      },
      nFrames: {
        kieField: 'n_frames',
        type: 'enum',
        values: ['10', '15'],
        default: '10',
        // KIE calls it the number of frames; it is the length in seconds.
        description: 'Length in seconds',
      },
      removeWatermark: {
        kieField: 'remove_watermark',
        type: 'boolean',
        default: true,
        description: 'Ask KIE for the video without the Sora watermark',
      },
    },
    // KIE bills Sora per second: a 15 s clip costs half again a 10 s one.
    priceFactor: (o) => (o.nFrames === '15' ? 1.5 : 1),
    priceUnit: '10 s of video (15 s: ×1.5)',
  },
};

/** A validated Market request (the API's body schemas produce it; src/domain/job.ts has its schema). */
export interface MarketRequest {
  /** Tells a Market request from a Veo one (stored jobs' Veo requests have no such field). */
  api: 'market';
  model: MarketModel;
  mode: MarketMode;
  prompt: string;
  imageUrls: string[];
  /** Every option of the model, defaults filled in: the request is complete as priced. */
  options: Record<string, OptionValue>;
  webhookUrl?: string | undefined;
}

export const isMarketModel = (model: string): model is MarketModel =>
  (MARKET_MODEL_IDS as readonly string[]).includes(model);

/** A Veo or Market request: a Market one says so (`api`); Veo requests predate the field. */
export const isMarketRequest = (request: object): request is MarketRequest =>
  'api' in request && request.api === 'market';

/** Whether a job makes images or a video: Veo requests (no `api`) make videos. */
export const mediaKindOf = (request: object): MediaKind =>
  isMarketRequest(request) ? MARKET_MODELS[request.model].kind : 'video';

/** KIE's createTask body for a Market request (the callback URL is added by the caller). */
export function marketTaskOf(request: MarketRequest): {
  model: string;
  input: Record<string, OptionValue | string[]>;
} {
  const spec = MARKET_MODELS[request.model];
  const mode = spec.modes[request.mode];
  if (!mode) throw new Error(`${request.model} has no ${request.mode} mode`);
  const input: Record<string, OptionValue | string[]> = { prompt: request.prompt };
  if (request.imageUrls.length) input.image_urls = request.imageUrls;
  for (const [name, value] of Object.entries(request.options)) {
    const option = spec.options[name];
    if (!option || (option.modes && !option.modes.includes(request.mode))) continue;
    const sent = option.type === 'integer' && option.asString ? String(value) : value;
    input[option.kieField] = sent;
    if (option.alsoAs) input[option.alsoAs] = sent;
  }
  return { model: mode.kieModel, input };
}
