/**
 * The studio's browser module: src/studio/client/main.ts bundled by esbuild (already how tsx runs
 * TypeScript) when the app first needs it, then kept in memory — no build step, no artefact to go stale.
 */
import path from 'node:path';
import { build } from 'esbuild';

const entry = path.join(import.meta.dirname, 'client', 'main.ts');
let bundled: Promise<string> | null = null;

export function studioBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((r) => {
    const [out] = r.outputFiles;
    if (!out) throw new Error('esbuild produced no output for the studio module');
    return out.text;
  });
  // A failed build is retried by the next request rather than cached.
  bundled.catch(() => (bundled = null));
  return bundled;
}
