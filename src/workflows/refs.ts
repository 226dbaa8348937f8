/**
 * The workflows as clients name them, without loading workflow code (the API, the CLI and the worker's
 * schedule must not import it). A workflow's type is the name src/workflows/index.ts exports it under:
 * `workflowType` accepts only those names, so renaming or dropping a workflow fails to compile here
 * rather than at run time, and `WorkflowFn` gives the function's type for typed handles.
 */
import type * as workflows from './index.js';

type Workflows = typeof workflows;
export type WorkflowName = keyof Workflows;
export type WorkflowFn<K extends WorkflowName> = Workflows[K];

export const workflowType = <K extends WorkflowName>(name: K): K => name;
