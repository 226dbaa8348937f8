/** What the page reads from the API: the server's own types (type imports only: nothing of the server is bundled). */
import type { Catalog } from '../../api/schemas.js';

export type {
  FinalState,
  GenerationType,
  JobState,
  MarketMode,
  MediaKind,
  Variant,
} from '../../domain/index.js';

export type { Catalog, Credits, Problem } from '../../api/schemas.js';
export type { FileView, JobView as Job, JobListView as JobPage } from '../../domain/index.js';

export type CatalogModel = Catalog['models'][number];
export type CatalogOption = CatalogModel['options'][number];
