/**
 * A Market model's options as form controls, built from its catalogue entry (GET /v1/models): a select
 * for an enum (its default chosen), a number box for an integer (its range), a checkbox for a boolean,
 * a text box for text; each labelled, its description as hint. They are named `options.<name>`, so a
 * 422 naming `options.<name>` lands at its control (field-errors.ts); an option of some modes only is
 * hidden — and not sent — in the others.
 */
import { h } from './dom.js';
import { optionLabel } from './labels.js';
import type { CatalogModel, CatalogOption, MarketMode } from './types.js';

/** A value as typed: null for a number box holding something that is not a number (the server says why). */
export type OptionInput = string | number | boolean | null;

export interface MarketOptions {
  /** Shows the options `mode` uses, hides the others. */
  showFor(mode: MarketMode): void;
  /** What to send for `mode`: the options it uses; an empty optional box is left out. */
  values(mode: MarketMode): Record<string, OptionInput>;
}

type Control = HTMLSelectElement | HTMLInputElement;

export function renderOptions(container: HTMLElement, model: CatalogModel): MarketOptions {
  const controls = new Map<CatalogOption, { field: HTMLElement; control: Control }>();
  for (const option of model.options) controls.set(option, field(option));
  container.replaceChildren(...[...controls.values()].map((c) => c.field));
  const used = (o: CatalogOption, mode: MarketMode) => !o.modes || o.modes.includes(mode);
  return {
    showFor(mode) {
      for (const [o, { field }] of controls) field.hidden = !used(o, mode);
    },
    values(mode) {
      const values: Record<string, OptionInput> = {};
      for (const [o, { control }] of controls) {
        if (!used(o, mode)) continue;
        const value = valueOf(o, control);
        if (value !== undefined) values[o.name] = value;
      }
      return values;
    },
  };
}

function valueOf(o: CatalogOption, control: Control): OptionInput | undefined {
  if (o.type === 'boolean') return (control as HTMLInputElement).checked;
  const text = control.value.trim();
  if (o.type === 'integer') {
    if (text) return Number(text);
    return (control as HTMLInputElement).validity.badInput ? null : undefined;
  }
  return text ? control.value : undefined;
}

function field(o: CatalogOption): { field: HTMLElement; control: Control } {
  const id = `option-${o.name}`;
  const attrs = { id, name: `options.${o.name}`, 'aria-describedby': `${id}-hint ${id}-error` };
  const label = optionLabel(o.name);
  const optional = o.default === undefined ? h('span', { class: 'optional' }, ' (optional)') : '';
  const hint = h('p', { id: `${id}-hint`, class: 'hint' }, hintOf(o));
  const error = h('p', { id: `${id}-error`, class: 'error' });
  let control: Control;
  let labelled: HTMLElement;
  switch (o.type) {
    case 'boolean':
      control = h('input', { ...attrs, type: 'checkbox', checked: o.default === true });
      labelled = h('label', { class: 'choice' }, control, ` ${label}`);
      break;
    case 'enum':
      control = h(
        'select',
        attrs,
        o.default === undefined ? h('option', { value: '' }, "KIE's default") : '',
        ...(o.values ?? []).map((v) => h('option', { value: v, selected: v === o.default }, v)),
      );
      labelled = h('label', { for: id }, label, optional);
      break;
    case 'integer':
      control = h('input', {
        ...attrs,
        type: 'number',
        inputmode: 'numeric',
        step: 1,
        min: o.min,
        max: o.max,
        value: typeof o.default === 'number' ? o.default : undefined,
        autocomplete: 'off',
      });
      labelled = h('label', { for: id }, label, optional);
      break;
    case 'text':
      control = h('input', { ...attrs, type: 'text', maxlength: o.maxLength, autocomplete: 'off' });
      labelled = h('label', { for: id }, label, optional);
      break;
  }
  // A checkbox sits inside its label; the other controls follow theirs.
  const own = o.type === 'boolean' ? null : control;
  const field = h('div', { class: 'field', 'data-option': o.name }, labelled, own, hint, error);
  return { field, control };
}

function hintOf(o: CatalogOption): string {
  if (o.type === 'integer') {
    const empty = o.default === undefined ? ' Empty: KIE picks one.' : '';
    return `${o.description}: a whole number from ${o.min} to ${o.max}.${empty}`;
  }
  if (o.type === 'text' && o.maxLength) return `${o.description} (at most ${o.maxLength} characters).`;
  return `${o.description}.`;
}
