/**
 * KIE's request validation (docs/kie-api.md#endpoints, #market-models): a violation answers code 422 with a message
 * saying what is wrong. Unknown fields are ignored, as clients send undocumented ones (duration, resolution).
 * Each validator returns the normalized request, or the 422 message.
 */
import type { InputRule } from './market-models.js';
import type { SimModel } from './types.js';

export const VEO_MODELS: readonly SimModel[] = ['veo3', 'veo3_fast', 'veo3_lite'];
export const GENERATION_TYPES = [
  'TEXT_2_VIDEO',
  'FIRST_AND_LAST_FRAMES_2_VIDEO',
  'REFERENCE_2_VIDEO',
] as const;
export const ASPECT_RATIOS = ['16:9', '9:16', 'Auto'] as const;
export const EXTEND_MODELS = ['fast', 'quality', 'lite'] as const;
type GenerationType = (typeof GENERATION_TYPES)[number];

const IMAGE_COUNTS: Record<GenerationType, [number, number]> = {
  TEXT_2_VIDEO: [0, 0],
  FIRST_AND_LAST_FRAMES_2_VIDEO: [1, 2],
  REFERENCE_2_VIDEO: [1, 3],
};

export interface GenerateRequest {
  prompt: string;
  model: SimModel;
  generationType: GenerationType;
  imageUrls: string[];
  aspectRatio: string;
  seeds: number | null;
  callBackUrl: string | null;
  watermark: string | null;
  enableTranslation: boolean;
}

export interface ExtendRequest {
  taskId: string;
  prompt: string;
  model: (typeof EXTEND_MODELS)[number];
  seeds: number | null;
  callBackUrl: string | null;
  watermark: string | null;
}

type Body = Record<string, unknown>;

const isHttpUrl = (v: unknown): v is string => {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isIn = <T extends string>(list: readonly T[], v: unknown): v is T => list.includes(v as T);

function optionalSeeds(body: Body): number | null | string {
  const seeds = body.seeds;
  if (seeds === undefined || seeds === null) return null;
  if (typeof seeds !== 'number' || !Number.isInteger(seeds) || seeds < 10000 || seeds > 99999) {
    return 'seeds must be an integer between 10000 and 99999';
  }
  return seeds;
}

function optionalCallback(body: Body): string | null | { error: string } {
  const url = body.callBackUrl;
  if (url === undefined || url === null || url === '') return null;
  return isHttpUrl(url) ? url : { error: 'callBackUrl must be an http(s) URL' };
}

export function validateGenerate(body: Body, relaxedReference: boolean): GenerateRequest | string {
  if (!nonEmpty(body.prompt)) return 'prompt is required';
  // The docs give veo3_fast as the default; one client reports "Invalid model" when omitted.
  const model = body.model ?? 'veo3_fast';
  if (!isIn(VEO_MODELS, model)) return `Invalid model: must be one of ${VEO_MODELS.join(', ')}`;

  const imageUrls = body.imageUrls ?? [];
  if (!Array.isArray(imageUrls) || !imageUrls.every(isHttpUrl)) {
    return 'imageUrls must be an array of http(s) URLs';
  }
  const generationType =
    body.generationType ?? (imageUrls.length > 0 ? 'FIRST_AND_LAST_FRAMES_2_VIDEO' : 'TEXT_2_VIDEO');
  if (!isIn(GENERATION_TYPES, generationType)) {
    return `Invalid generationType: must be one of ${GENERATION_TYPES.join(', ')}`;
  }
  const [min, max] = IMAGE_COUNTS[generationType];
  if (imageUrls.length < min || imageUrls.length > max) {
    return max === 0
      ? `${generationType} takes no imageUrls`
      : `${generationType} requires ${min === max ? min : `${min} to ${max}`} imageUrls, got ${imageUrls.length}`;
  }

  // The current spec spells it aspect_ratio, the older one aspectRatio: both are honoured.
  const aspectRatio = body.aspect_ratio ?? body.aspectRatio ?? '16:9';
  if (!isIn(ASPECT_RATIOS, aspectRatio))
    return `Invalid aspect_ratio: must be one of ${ASPECT_RATIOS.join(', ')}`;

  if (generationType === 'REFERENCE_2_VIDEO') {
    const models: SimModel[] = relaxedReference ? ['veo3_fast', 'veo3_lite'] : ['veo3_fast'];
    if (!models.includes(model)) return `REFERENCE_2_VIDEO supports only the ${models.join(' and ')} model`;
    const aspects = relaxedReference ? ['16:9', '9:16'] : ['16:9'];
    if (!aspects.includes(aspectRatio))
      return `REFERENCE_2_VIDEO supports only aspect ratio ${aspects.join(' and ')}`;
  }

  const seeds = optionalSeeds(body);
  if (typeof seeds === 'string') return seeds;
  const callBackUrl = optionalCallback(body);
  if (typeof callBackUrl === 'object' && callBackUrl !== null) return callBackUrl.error;
  if (body.watermark !== undefined && body.watermark !== null && typeof body.watermark !== 'string') {
    return 'watermark must be a string';
  }
  if (body.enableTranslation !== undefined && typeof body.enableTranslation !== 'boolean') {
    return 'enableTranslation must be a boolean';
  }
  if (body.enableFallback !== undefined && typeof body.enableFallback !== 'boolean') {
    return 'enableFallback must be a boolean';
  }
  return {
    prompt: body.prompt,
    model,
    generationType,
    imageUrls,
    aspectRatio,
    seeds,
    callBackUrl,
    watermark: typeof body.watermark === 'string' && body.watermark !== '' ? body.watermark : null,
    enableTranslation: body.enableTranslation ?? true,
  };
}

export function validateExtend(body: Body): ExtendRequest | string {
  if (!nonEmpty(body.taskId)) return 'taskId is required';
  if (!nonEmpty(body.prompt)) return 'prompt is required';
  // Extend takes fast | quality (| lite), not the veo3_* names of generate.
  const model = body.model ?? 'fast';
  if (!isIn(EXTEND_MODELS, model)) return `Invalid model: must be one of ${EXTEND_MODELS.join(', ')}`;
  const seeds = optionalSeeds(body);
  if (typeof seeds === 'string') return seeds;
  const callBackUrl = optionalCallback(body);
  if (typeof callBackUrl === 'object' && callBackUrl !== null) return callBackUrl.error;
  if (body.watermark !== undefined && body.watermark !== null && typeof body.watermark !== 'string') {
    return 'watermark must be a string';
  }
  return {
    taskId: body.taskId,
    prompt: body.prompt,
    model,
    seeds,
    callBackUrl,
    watermark: typeof body.watermark === 'string' && body.watermark !== '' ? body.watermark : null,
  };
}

/** `index` of the 1080p/4K endpoints: a task has one video, so only 0 exists. */
export function validateIndex(raw: unknown): number | string {
  if (raw === undefined || raw === null || raw === '') return 0;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return 'index must be a non-negative integer';
  return n;
}

export function validate4k(
  body: Body,
): { taskId: string; index: number; callBackUrl: string | null } | string {
  if (!nonEmpty(body.taskId)) return 'taskId is required';
  const index = validateIndex(body.index);
  if (typeof index === 'string') return index;
  const callBackUrl = optionalCallback(body);
  if (typeof callBackUrl === 'object' && callBackUrl !== null) return callBackUrl.error;
  return { taskId: body.taskId, index, callBackUrl };
}

/** The 422 message for `input[name]` against its rule, or null when it passes. */
function inputProblem(name: string, rule: InputRule, value: unknown): string | null {
  const field = `input.${name}`;
  if (value === undefined || value === null)
    return 'required' in rule && rule.required ? `${field} is required` : null;
  switch (rule.type) {
    case 'text':
      if (typeof value !== 'string') return `${field} must be a string`;
      if (rule.required && value.trim() === '') return `${field} is required`;
      return value.length > rule.maxLength
        ? `${field} must be at most ${rule.maxLength} characters, got ${value.length}`
        : null;
    case 'enum':
      return isIn(rule.values, value) ? null : `Invalid ${field}: must be one of ${rule.values.join(', ')}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${field} must be a boolean`;
    case 'urls':
      if (!Array.isArray(value) || !value.every(isHttpUrl))
        return `${field} must be an array of http(s) URLs`;
      if (rule.required && value.length === 0) return `${field} is required`;
      return value.length > rule.maxItems
        ? `${field} takes at most ${rule.maxItems} image${rule.maxItems === 1 ? '' : 's'}, got ${value.length}`
        : null;
    case 'strings':
      return Array.isArray(value) &&
        value.length <= rule.maxItems &&
        value.every((v) => typeof v === 'string')
        ? null
        : `${field} must be an array of at most ${rule.maxItems} strings`;
    case 'seed':
      return (typeof value === 'string' && value.length <= rule.maxLength) ||
        (typeof value === 'number' && Number.isInteger(value))
        ? null
        : `${field} must be an integer or a string of at most ${rule.maxLength} characters`;
  }
}

export interface MarketTaskRequest<M extends string> {
  model: M;
  input: Record<string, unknown>;
  callBackUrl: string | null;
  progressCallBackUrl: string | null;
}

/**
 * POST /jobs/createTask: a published model, an `input` object that satisfies the model's rules
 * (market-models.ts), http(s) callback URLs.
 */
export function validateMarketTask<M extends string>(
  body: Body,
  models: Readonly<Record<M, { input: Readonly<Record<string, InputRule>> }>>,
): MarketTaskRequest<M> | string {
  const model = body.model;
  if (typeof model !== 'string' || !Object.hasOwn(models, model))
    return 'The page does not exist or is not published';
  const input = body.input;
  if (!input || typeof input !== 'object' || Array.isArray(input)) return 'input is required';
  const callBackUrl = optionalCallback(body);
  if (typeof callBackUrl === 'object' && callBackUrl !== null) return callBackUrl.error;
  const progress = optionalCallback({ callBackUrl: body.progressCallBackUrl });
  if (typeof progress === 'object' && progress !== null) return 'progressCallBackUrl must be an http(s) URL';
  for (const [name, rule] of Object.entries(models[model as M].input)) {
    const problem = inputProblem(name, rule, (input as Body)[name]);
    if (problem) return problem;
  }
  return {
    model: model as M,
    input: input as Record<string, unknown>,
    callBackUrl,
    progressCallBackUrl: progress,
  };
}
