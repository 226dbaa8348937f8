/** What the page reads from the API (GET /openapi.json has the full schemas). */
import type {
  AspectRatio,
  GenerationType,
  HdState,
  JobState,
  VeoModel,
  Variant,
} from '../../domain/index.js';

export type { AspectRatio, GenerationType, JobState, VeoModel, Variant };

export interface Catalog {
  models: Array<{ id: VeoModel; name: string; price: number }>;
  hdPrice: number;
  limits: {
    promptMaxLength: number;
    imageCounts: Record<GenerationType, { min: number; max: number }>;
    seed: { min: number; max: number };
    referenceModels: VeoModel[];
    referenceAspectRatios: AspectRatio[];
    hdAspectRatios: AspectRatio[];
  };
}

export interface Job {
  id: string;
  state: JobState;
  model: VeoModel;
  prompt: string;
  price: number;
  charged: number | null;
  hd: HdState;
  hdNote: string | null;
  files: Array<{ variant: Variant; size: number; url: string }>;
  error: { source: string; code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface JobPage {
  data: Job[];
  nextCursor: string | null;
}

export interface Credits {
  balance: number;
  held: number;
  available: number;
}

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}
