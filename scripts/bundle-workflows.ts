/**
 * Bundles the workflow code the way the worker does. In CI this proves workflows import nothing the
 * sandbox forbids (Node built-ins, I/O); the bundle is written to .cache/ and reused by the tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '../src/worker/workflow-bundle.js';

const out = path.resolve(process.argv[2] ?? '.cache/workflow-bundle.js');
const started = Date.now();
const bundle = await buildWorkflowBundle();
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, bundle.code);
console.log(
  `workflow bundle: ${out} (${Math.round(bundle.code.length / 1024)} KiB, ${Date.now() - started} ms)`,
);
