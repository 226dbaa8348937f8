/** What the page reads from the API: the server's own types (type imports only: nothing of the server is bundled). */
export type { FinalState, GenerationType, JobState, Variant } from '../../domain/index.js';

export type { Catalog, Credits, Problem } from '../../api/schemas.js';
export type { JobView as Job, JobListView as JobPage } from '../../domain/index.js';
