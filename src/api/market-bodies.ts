/**
 * Request bodies for the Market models, built from the catalogue (src/domain/market-catalog.ts): one
 * strict body per model, its options checked against the model's enums and ranges, its image count
 * against the mode's, defaults filled in — so the stored request is complete as priced.
 */
import { z, type ZodType } from 'zod';
import {
  MARKET_MODELS,
  type MarketMode,
  type MarketModelSpec,
  type MarketRequest,
  type MediaKind,
  type OptionSpec,
  type OptionValue,
} from '../domain/index.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Optional here; the defaults are filled in by the body's transform, for the modes that use them. */
function optionSchema(o: OptionSpec): ZodType {
  const modes = o.modes ? ` (${o.modes.join(', ')} only)` : '';
  const meta = {
    description: `${o.description}${modes}`,
    ...('default' in o && o.default !== undefined ? { default: o.default } : {}),
  };
  switch (o.type) {
    case 'enum':
      return z
        .enum(o.values as [string, ...string[]], { error: `must be one of ${o.values.join(', ')}` })
        .optional()
        .meta(meta);
    case 'integer':
      return z.int().min(o.min).max(o.max).optional().meta(meta);
    case 'boolean':
      return z.boolean().optional().meta(meta);
    case 'text':
      return z.string().trim().min(1).max(o.maxLength).optional().meta(meta);
  }
}

/** The body of one Market model, producing its MarketRequest. */
export function marketBody(spec: MarketModelSpec, webhookUrl: ZodType<string | undefined>) {
  const modes = Object.keys(spec.modes) as MarketMode[];
  const maxImages = Math.max(...modes.map((m) => spec.modes[m]!.images.max));
  const options = z
    .strictObject(Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, optionSchema(o)])))
    .default({});
  return z
    .strictObject({
      model: z.literal(spec.id),
      prompt: z.string().trim().min(1, 'prompt must not be empty').max(spec.promptMaxLength),
      mode: z
        .enum(modes as [MarketMode, ...MarketMode[]], { error: `must be one of ${modes.join(', ')}` })
        .optional()
        .meta({ description: 'Default: the image mode when imageUrls are given, else the text one' }),
      imageUrls: z.array(httpUrl).max(maxImages).default([]),
      options,
      webhookUrl,
    })
    .meta({ description: `${spec.name} (${spec.kind}): ${modes.join(', ')}` })
    .transform((b, ctx): MarketRequest => {
      const mode = b.mode ?? defaultMode(modes, b.imageUrls.length > 0);
      const { min, max } = spec.modes[mode]!.images;
      if (b.imageUrls.length < min || b.imageUrls.length > max)
        ctx.addIssue({
          code: 'custom',
          path: ['imageUrls'],
          message: `${spec.name} ${mode} takes ${min === max ? min : `${min} to ${max}`} image URLs, got ${b.imageUrls.length}`,
        });
      const given = b.options as Record<string, OptionValue | undefined>;
      const chosen: Record<string, OptionValue> = {};
      for (const [name, option] of Object.entries(spec.options)) {
        const used = !option.modes || option.modes.includes(mode);
        const value = given[name] ?? ('default' in option ? option.default : undefined);
        if (given[name] !== undefined && !used)
          ctx.addIssue({ code: 'custom', path: ['options', name], message: `not used in ${mode}` });
        else if (used && value !== undefined) chosen[name] = value;
      }
      return {
        api: 'market',
        model: spec.id,
        mode,
        prompt: b.prompt,
        imageUrls: b.imageUrls,
        options: chosen,
        ...(b.webhookUrl !== undefined ? { webhookUrl: b.webhookUrl } : {}),
      };
    });
}

/** With images, the model's image mode; without, its text mode (or its only mode, which then complains). */
function defaultMode(modes: MarketMode[], withImages: boolean): MarketMode {
  const wanted = modes.find((m) => m.startsWith(withImages ? 'image-to-' : 'text-to-'));
  return wanted ?? modes[0]!;
}

export function marketModelIds(kind: MediaKind): string[] {
  return Object.values(MARKET_MODELS)
    .filter((spec) => spec.kind === kind)
    .map((spec) => spec.id);
}

/** The bodies of every Market model of a kind (images for POST /v1/images, videos for /v1/videos). */
export function marketBodies(kind: MediaKind, webhookUrl: ZodType<string | undefined>) {
  return Object.values(MARKET_MODELS)
    .filter((spec) => spec.kind === kind)
    .map((spec) => marketBody(spec, webhookUrl));
}
