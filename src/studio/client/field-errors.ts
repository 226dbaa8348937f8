/**
 * Shows a problem+json reply where it belongs: each `errors[].field` next to the form control of that
 * name, or of its longest leading part that names one (`options.seed` → the control named
 * `options.seed`; `imageUrls.1` → the imageUrls box), marked aria-invalid and announced through the
 * control's aria-describedby; the rest (402, 429, 503, fields the form has no control for) in the
 * form's message.
 */
import type { ApiError } from './api.js';

export function clearErrors(form: HTMLFormElement, message: HTMLElement): void {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll<HTMLElement>('.error')) el.textContent = '';
  message.textContent = '';
}

export function showErrors(form: HTMLFormElement, message: HTMLElement, err: ApiError): void {
  clearErrors(form, message);
  const unplaced: string[] = [];
  let first: HTMLElement | null = null;
  for (const { field, message: text } of err.problem.errors ?? []) {
    const control = controlFor(form, field);
    const slot = control && document.getElementById(`${control.id}-error`);
    if (!control || !slot) {
      unplaced.push(`${field}: ${text}`);
      continue;
    }
    control.setAttribute('aria-invalid', 'true');
    slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
    first ??= control;
  }
  if (!first || unplaced.length) {
    const retry = err.retryAfterSeconds === null ? '' : `Retry in ${err.retryAfterSeconds} s.`;
    message.textContent = [err.problem.detail ?? err.problem.title, ...unplaced, retry].join(' ').trim();
  }
  first?.focus();
}

function controlFor(form: HTMLFormElement, field: string): HTMLElement | null {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const control = form.elements.namedItem(parts.slice(0, n).join('.'));
    if (control) return control instanceof HTMLElement ? control : null;
  }
  return null;
}
