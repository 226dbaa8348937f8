export * from './job.js';
export * from './job-view.js';
export * from './errors.js';
