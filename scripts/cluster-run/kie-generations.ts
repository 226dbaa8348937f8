/**
 * The generations KIE (the simulator) received, by prompt: each job of a run has a prompt of its own,
 * so a prompt with two tasks is a job that made KIE generate twice.
 */
export interface KieGenerations {
  /** Prompt → the task ids created for it, oldest first. */
  byPrompt: Map<string, string[]>;
  total: number;
}

export async function kieGenerations(simulatorUrl: string): Promise<KieGenerations> {
  const res = await fetch(`${simulatorUrl}/_sim/tasks`);
  if (!res.ok) throw new Error(`GET /_sim/tasks: ${res.status}`);
  const { tasks } = (await res.json()) as { tasks: Array<{ taskId: string; request: { prompt?: string } }> };
  const byPrompt = new Map<string, string[]>();
  for (const t of tasks) {
    const p = String(t.request.prompt);
    byPrompt.set(p, [...(byPrompt.get(p) ?? []), t.taskId]);
  }
  return { byPrompt, total: tasks.length };
}
