// Workflow bundle entry: every workflow the worker registers.
export { generateVideo } from './generate-video.js';
export { fetchHdOnDemand } from './fetch-hd-on-demand.js';
export { reconcileJobs } from './reconcile-jobs.js';
export { notifyCustomer } from './notify-customer.js';
export { watchKieBalance } from './watch-kie-balance.js';
