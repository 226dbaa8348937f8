/**
 * The create form, for every model of the catalogue (GET /v1/models), grouped by what it makes, each
 * with its price: Veo's own fields (generation type, aspect ratio, seed, 1080p) for Veo; a Market
 * model's modes and options (market-options.ts) for the others. Hints spell out KIE's limits for the
 * current choices, the total shows their price, and the request goes to the model's endpoint as
 * typed: validation is the server's, and its 422 errors land at the fields they name.
 */
import { ApiError, api, newIdempotencyKey } from './api.js';
import { byId, h } from './dom.js';
import { clearErrors, showErrors } from './field-errors.js';
import { imageCount, MODE_LABELS } from './labels.js';
import { renderOptions, type MarketOptions } from './market-options.js';
import { isMarketModel, marketPrice } from './price.js';
import type { Catalog, CatalogModel, GenerationType, Job, MarketMode } from './types.js';

export interface CreateFormHooks {
  /** A job was accepted (202). */
  created(job: Job): void;
  /** The server refused the request: 401 (the session ended) or 402 (the balance changed). */
  refused(err: ApiError): void;
}

const GROUPS = [
  { kind: 'video', label: 'Videos' },
  { kind: 'image', label: 'Images' },
] as const;

export function createForm(catalog: Catalog, hooks: CreateFormHooks): void {
  const form = byId<HTMLFormElement>('create-form');
  const title = byId('create-title');
  const model = byId<HTMLSelectElement>('model');
  const prompt = byId<HTMLTextAreaElement>('prompt');
  const modes = byId('modes');
  const images = byId('images');
  const generationTypeField = byId('generation-type-field');
  const generationType = byId<HTMLSelectElement>('generation-type');
  const imageUrls = byId<HTMLTextAreaElement>('image-urls');
  const marketOptions = byId('market-options');
  const veoOptions = byId('veo-options');
  const hdField = byId('hd-field');
  const aspectRatio = byId<HTMLSelectElement>('aspect-ratio');
  const seed = byId<HTMLInputElement>('seed');
  const hd = byId<HTMLInputElement>('hd');
  const createError = byId('create-error');
  const generate = byId<HTMLButtonElement>('generate');
  const { limits, hdPrice } = catalog;
  /** The current Market model's controls (null for Veo). */
  let options: MarketOptions | null = null;

  const current = (): CatalogModel => catalog.models.find((m) => m.id === model.value) ?? catalog.models[0]!;
  const mode = () =>
    form.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value as MarketMode | undefined;
  const modelName = (id: string) => catalog.models.find((m) => m.id === id)?.name ?? id;
  const urls = () =>
    imageUrls.value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);

  /**
   * The new model's modes, keeping "from images" or "from text" when it has it; its options. The last
   * answer's errors were about the model before: they go.
   */
  function chooseModel(): void {
    clearErrors(form, createError);
    const m = current();
    const fromImages = mode()?.startsWith('image-') ?? false;
    const chosen = m.modes.find((x) => x.mode.startsWith(fromImages ? 'image-' : 'text-')) ?? m.modes[0];
    modes.replaceChildren(
      ...m.modes.map(({ mode: value }) =>
        h(
          'label',
          { class: 'choice' },
          h('input', { type: 'radio', name: 'mode', value, checked: value === chosen?.mode }),
          ` ${MODE_LABELS[value]}`,
        ),
      ),
    );
    options = isMarketModel(m.id) ? renderOptions(marketOptions, m) : null;
    if (!options) marketOptions.replaceChildren();
    describe();
  }

  /** The hints that spell out KIE's limits for the current choices, and the price. */
  function describe(): void {
    const m = current();
    const md = mode() ?? m.modes[0]!.mode;
    const veo = !options;
    const imageLimits = m.modes.find((x) => x.mode === md)?.images ?? { min: 0, max: 0 };
    title.textContent = m.kind === 'image' ? 'Create an image' : 'Create a video';
    generate.textContent = m.kind === 'image' ? 'Generate image' : 'Generate video';
    images.hidden = imageLimits.max === 0;
    generationTypeField.hidden = !veo;
    veoOptions.hidden = !veo;
    hdField.hidden = !veo;
    options?.showFor(md);
    // The picker shows the price's unit without its conditions (a longer video costs more): here they are.
    const conditions = veo ? '' : (/\((.*)\)$/.exec(m.priceUnit)?.[1] ?? '');
    byId('model-hint').textContent = conditions ? `${m.price} credits per ${m.priceUnit}.` : '';
    const count = prompt.value.trim().length;
    byId('prompt-hint').textContent =
      `${count} of at most ${m.promptMaxLength} characters.` +
      (veo ? ' KIE translates other languages into English first.' : '');
    const imagesHint = byId('image-urls-hint');
    let price: number;
    if (options) {
      imagesHint.textContent =
        (m.kind === 'image'
          ? `${imageCount(imageLimits)} to edit or combine into the new one.`
          : `${imageCount(imageLimits)}: the video starts from ${imageLimits.max === 1 ? 'it' : 'them'}.`) +
        ' KIE fetches them: they must be public http(s) URLs.';
      price = marketPrice(m, options.values(md));
    } else {
      imagesHint.textContent = veoImagesHint(generationType.value as GenerationType);
      describeVeo();
      price = m.price + (hd.checked ? hdPrice : 0);
    }
    byId('total').textContent = `This ${m.kind} costs ${price} credits.`;
  }

  function veoImagesHint(type: GenerationType): string {
    const { min, max } = limits.imageCounts[type];
    return type === 'REFERENCE_2_VIDEO'
      ? `${min} to ${max} images showing the subject or style. References work with ${limits.referenceModels
          .map(modelName)
          .join(' or ')} in ${limits.referenceAspectRatios.join(', ')} only.`
      : `${min} image: the video starts from it; or ${max}: the first and the last frame. ` +
          'KIE fetches them: they must be public http(s) URLs.';
  }

  function describeVeo(): void {
    byId('seed-hint').textContent =
      `A whole number from ${limits.seed.min} to ${limits.seed.max}: the same seed and prompt give a similar video. Empty: KIE picks one.`;
    const hdPossible = limits.hdAspectRatios.includes(
      aspectRatio.value as Catalog['limits']['hdAspectRatios'][number],
    );
    hd.disabled = !hdPossible;
    if (!hdPossible) hd.checked = false;
    byId('hd-hint').textContent = hdPossible
      ? `+${hdPrice} credits, charged only if the 1080p version is delivered (a minute or two after the video).`
      : `1080p exists for ${limits.hdAspectRatios.join(' and ')} only.`;
  }

  /** The request body for the model's endpoint, as typed. */
  function requestBody(): Record<string, unknown> {
    const m = current();
    const md = mode() ?? m.modes[0]!.mode;
    const takesImages = (m.modes.find((x) => x.mode === md)?.images.max ?? 0) > 0;
    if (options) {
      return {
        model: m.id,
        prompt: prompt.value,
        mode: md,
        ...(takesImages ? { imageUrls: urls() } : {}),
        options: options.values(md),
      };
    }
    const body: Record<string, unknown> = {
      prompt: prompt.value,
      model: m.id,
      aspectRatio: aspectRatio.value,
      hd: hd.checked,
    };
    if (takesImages) {
      body.generationType = generationType.value;
      body.imageUrls = urls();
    }
    const s = seed.value.trim();
    if (s) body.seed = /^\d+$/.test(s) ? Number(s) : s;
    return body;
  }

  model.replaceChildren(
    ...GROUPS.map(({ kind, label }) =>
      h(
        'optgroup',
        { label },
        ...catalog.models
          .filter((m) => m.kind === kind)
          .map((m) => h('option', { value: m.id }, `${m.name} · ${m.price} credits per ${shortUnit(m)}`)),
      ),
    ).filter((group) => group.children.length),
  );
  model.value = catalog.models.some((m) => m.id === 'veo3_fast')
    ? 'veo3_fast'
    : (catalog.models[0]?.id ?? '');
  chooseModel();

  form.addEventListener('input', (e) => (e.target === model ? chooseModel() : describe()));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form, createError);
    generate.disabled = true;
    api<Job>('POST', current().endpoint, requestBody(), { 'idempotency-key': newIdempotencyKey() })
      .then((job) => hooks.created(job))
      .catch((err: unknown) => {
        if (!(err instanceof ApiError)) throw err;
        if (err.status !== 401) showErrors(form, createError, err);
        hooks.refused(err);
      })
      .finally(() => (generate.disabled = false));
  });
}

/** What the price buys, short enough for the picker: "one 8 s video (1080p: …)" → "8 s video". */
function shortUnit(m: CatalogModel): string {
  return m.priceUnit.replace(/\s*\(.*\)$/, '').replace(/^one /, '');
}
