export * from './market-catalog.js';
export * from './variants.js';
export * from './market-models.js';
export * from './job.js';
export * from './job-view.js';
export * from './errors.js';
export * from './job-event.js';
export * from './breaker.js';
