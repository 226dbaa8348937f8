/**
 * `--option name=value` pairs of the CLI → a Market request's `options`, typed by the model's catalogue
 * entry (src/domain/market-catalog.ts): `duration=10` stays a string where KIE wants one, `sound=true`
 * becomes a boolean, `seed=7` a number. Unknown names are passed on for the API to refuse by name.
 */
import { MARKET_MODELS, type MarketModel, type OptionValue } from '../domain/index.js';

export function marketOptions(model: MarketModel, pairs: readonly string[]): Record<string, OptionValue> {
  const spec = MARKET_MODELS[model];
  const options: Record<string, OptionValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--option ${pair}: expected name=value`);
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const type = spec.options[name]?.type;
    options[name] =
      type === 'boolean'
        ? text === 'true' || text === '1' || text === 'yes'
        : type === 'integer' && /^-?\d+$/.test(text)
          ? Number(text)
          : text;
  }
  return options;
}

/** The CLI's help for a kind of model: each model, its modes and options. */
export function modelHelp(kind: 'image' | 'video'): string {
  return Object.values(MARKET_MODELS)
    .filter((m) => m.kind === kind)
    .map((m) => `${m.id} (${Object.keys(m.modes).join(', ')}; options: ${Object.keys(m.options).join(', ')})`)
    .join('; ');
}
