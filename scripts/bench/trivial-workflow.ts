/** The floor of bench:starts: a workflow whose first task completes it, and nothing else. */
export async function benchTrivial(): Promise<void> {}
