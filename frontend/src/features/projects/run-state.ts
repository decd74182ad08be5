/** What a project card says about its run, and whether it needs the user. */

import type { ProjectOverview } from "@/lib/api-types";

export type RunState =
  | "running"
  | "paused"
  | "stopping"
  | "stopped"
  | "completed"
  | "failed"
  | "missing"
  | "idle";

export function runState(card: ProjectOverview): RunState {
  if (card.project.missing) return "missing";
  const status = card.session?.status;
  if (!status) return "idle";
  if (status === "starting") return "running";
  return status as RunState;
}

export interface NeedsYou {
  projectId: string;
  projectName: string;
  reason: "failed" | "needs a decision" | "paused" | "no progress" | "tasks in review";
  detail: string;
}

/** Runs and tasks across projects that are waiting for a person, most urgent first. The
 * server says why a run needs someone (its outcome, in the run's own words); a run stopped from
 * the dashboard ended as asked and needs no one. */
export function needsYou(cards: ProjectOverview[], now: number, quietMinutes: number): NeedsYou[] {
  const out: NeedsYou[] = [];
  for (const card of cards) {
    const { project, session } = card;
    const base = { projectId: project.id, projectName: project.name };
    const detail = session?.summary ?? "";
    if (session?.status === "failed") out.push({ ...base, reason: "failed", detail });
    else if (session?.status === "paused") out.push({ ...base, reason: "paused", detail });
    else if (session?.snapshot?.needs_person && !card.stop_requested)
      out.push({ ...base, reason: "needs a decision", detail });
    else if (session?.status === "running" && card.last_activity_at) {
      const quiet = (now - Date.parse(card.last_activity_at)) / 60_000;
      if (quiet >= quietMinutes)
        out.push({ ...base, reason: "no progress", detail: `quiet for ${Math.floor(quiet)} min` });
    }
    const review = card.task_counts.review ?? 0;
    if (review > 0)
      out.push({
        ...base,
        reason: "tasks in review",
        detail: `${review} task${review === 1 ? "" : "s"}`,
      });
  }
  const rank = ["failed", "needs a decision", "no progress", "paused", "tasks in review"];
  return out.sort((a, b) => rank.indexOf(a.reason) - rank.indexOf(b.reason));
}
