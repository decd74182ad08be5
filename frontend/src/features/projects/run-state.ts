/** What a project card says about its run, and whether it needs the user. */

import type { ProjectOverview, Session } from "@/lib/api-types";

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
  reason: "failed" | "stopped unexpectedly" | "paused" | "no progress" | "tasks in review";
  detail: string;
}

// What the runner itself writes when it ends on purpose (STOP, `loki stop`, Ctrl-C); a run that
// died mid-work still says "running" (or "paused") in autonomy-state.json, or nothing at all.
const DELIBERATE_ENDS = new Set(["exited", "stopped", "force_stopped", "interrupted"]);

/** A stopped run that nobody asked to stop and that did not end on its own terms. The exit
 * code does not tell: a stop from the dashboard ends in SIGTERM or SIGKILL, and a run seen only
 * through its files has none. */
function stoppedUnexpectedly(card: ProjectOverview): boolean {
  const { session } = card;
  if (session?.status !== "stopped" || card.stop_requested) return false;
  const ended = session.snapshot?.autonomy_status;
  return !(typeof ended === "string" && DELIBERATE_ENDS.has(ended));
}

function unexpectedDetail(session: Session): string {
  const ended = session.snapshot?.autonomy_status;
  if (session.exit_code !== null) return `exit code ${session.exit_code}`;
  return typeof ended === "string" ? `last seen ${ended}` : "its process is gone";
}

/** Runs and tasks across projects that are waiting for a person, most urgent first. */
export function needsYou(cards: ProjectOverview[], now: number, quietMinutes: number): NeedsYou[] {
  const out: NeedsYou[] = [];
  for (const card of cards) {
    const { project, session } = card;
    const base = { projectId: project.id, projectName: project.name };
    if (session?.status === "failed")
      out.push({ ...base, reason: "failed", detail: `phase ${session.phase ?? "?"}` });
    else if (session && stoppedUnexpectedly(card)) {
      out.push({ ...base, reason: "stopped unexpectedly", detail: unexpectedDetail(session) });
    } else if (session?.status === "paused")
      out.push({ ...base, reason: "paused", detail: "waiting to be resumed" });
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
  const rank = ["failed", "stopped unexpectedly", "no progress", "paused", "tasks in review"];
  return out.sort((a, b) => rank.indexOf(a.reason) - rank.indexOf(b.reason));
}
