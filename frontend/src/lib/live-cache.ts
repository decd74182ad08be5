/**
 * Live events → the Query cache. The socket never keeps its own copy of server data: an event
 * patches the cached value it describes, or invalidates the keys it makes stale.
 */

import type { QueryClient } from "@tanstack/react-query";
import { useRunNotices } from "@/stores/run-notices-store";
import type { ProjectOverview, Session, Task, WireMessage } from "./api-types";
import { removeTask, upsertTask } from "./board-state";
import { keys } from "./query-keys";
import { toast } from "./toast";

// The run's answers to a control action, found in its files after the action returned. The
// requests themselves (control:stop_requested, …) are already answered by the action's own toast.
const RUN_ANSWERS: Record<string, "success" | "error"> = {
  "control:paused": "success",
  "control:pause_not_honoured": "error",
  "control:input_accepted": "success",
  "control:input_rejected": "error",
};

/** Tell the user how the run answered; remember a run that refuses human input and the model
 * a run was switched to. */
export function applyRunAnswer(message: WireMessage): void {
  const sessionId = message.data.session_id;
  const model = message.data.model;
  if (message.type === "control:model_switched" && typeof sessionId === "string") {
    // Switched from this or another browser: the header's model picker follows.
    if (typeof model === "string") useRunNotices.getState().setModel(sessionId, model);
    return;
  }
  const kind = RUN_ANSWERS[message.type];
  if (!kind) return;
  if (message.type === "control:input_rejected" && typeof sessionId === "string") {
    useRunNotices.getState().markInputRefused(sessionId);
  }
  // On `global` only (the overview), the answer is for a screen the user is not looking at.
  const text = message.data.message;
  if (message.channel !== "global" && typeof text === "string" && text) {
    toast[kind](text.charAt(0).toUpperCase() + text.slice(1));
  }
}

// After a burst of task events (a run rewriting its queue), reload the board once to be sure.
const BOARD_SETTLE_MS = 1500;

function patchBoard(tasks: Task[], message: WireMessage): Task[] {
  return message.type === "task:deleted"
    ? removeTask(tasks, String(message.data.id))
    : upsertTask(tasks, message.data as unknown as Task);
}

export function createLiveCache(client: QueryClient, settleMs = BOARD_SETTLE_MS) {
  const settling = new Map<string, ReturnType<typeof setTimeout>>();
  let overviewTimer: ReturnType<typeof setTimeout> | null = null;
  // Task events that arrived while their board was being read: the answer may predate them
  // (a card written by the run right after the page subscribed vanished when the read landed),
  // so they are applied again on top of it, in order. Later events patch as usual.
  const duringRead = new Map<string, WireMessage[]>();
  client.getQueryCache().subscribe((change) => {
    if (change.type !== "updated" || change.query.queryKey[1] !== "board") return;
    const action = change.action;
    if (action.type !== "success" && action.type !== "error") return;
    if (action.type === "success" && action.manual) return; // our own setQueryData
    const projectId = String(change.query.queryKey[2]);
    const missed = duringRead.get(projectId);
    duringRead.delete(projectId);
    if (!missed || action.type === "error") return;
    client.setQueryData<Task[]>(keys.board(projectId), (tasks) =>
      tasks ? missed.reduce(patchBoard, tasks) : tasks,
    );
  });

  const settleBoard = (projectId: string) => {
    const previous = settling.get(projectId);
    if (previous) clearTimeout(previous);
    settling.set(
      projectId,
      setTimeout(() => {
        settling.delete(projectId);
        void client.invalidateQueries({ queryKey: keys.board(projectId) });
      }, settleMs),
    );
  };

  // The overview sums many things: refresh it at most every half second.
  const refreshOverview = () => {
    if (overviewTimer) return;
    overviewTimer = setTimeout(() => {
      overviewTimer = null;
      void client.invalidateQueries({ queryKey: keys.overview });
    }, 500);
  };

  return function apply(message: WireMessage): void {
    const [kind] = message.type.split(":");
    const data = message.data;
    if (kind === "task") {
      const projectId = String(data.project_id ?? "");
      if (!projectId) return;
      const key = keys.board(projectId);
      client.setQueryData<Task[]>(key, (tasks) => (tasks ? patchBoard(tasks, message) : tasks));
      if (client.getQueryState(key)?.fetchStatus === "fetching") {
        duringRead.set(projectId, [...(duringRead.get(projectId) ?? []), message]);
      }
      settleBoard(projectId);
      refreshOverview();
    } else if (kind === "session" || kind === "phase") {
      const sessionId = String(data.session_id ?? data.id ?? "");
      if (kind === "session" && data.id) {
        const key = keys.session(String(data.id));
        client.setQueryData<Session>(key, data as unknown as Session);
        // A read already in flight may have been answered before this change was committed;
        // landing after the event it would put the older row back (a run stuck on "stopping"
        // after it had stopped). Read again instead, from after the event.
        if (client.getQueryState(key)?.fetchStatus === "fetching") {
          void client.invalidateQueries({ queryKey: key, exact: true });
        }
      } else if (sessionId) {
        void client.invalidateQueries({ queryKey: keys.session(sessionId) });
      }
      if (data.project_id) {
        void client.invalidateQueries({ queryKey: keys.sessions(String(data.project_id)) });
      }
      refreshOverview();
    } else if (kind === "control") {
      applyRunAnswer(message);
    } else if (kind === "agent") {
      if (data.project_id)
        void client.invalidateQueries({ queryKey: keys.agents(String(data.project_id)) });
      refreshOverview();
    } else if (kind === "project") {
      void client.invalidateQueries({ queryKey: keys.projects });
      refreshOverview();
    } else if (kind === "log") {
      // Thousands a second at times: a log line only moves its card's "last activity", which
      // the event itself carries, so the overview is patched rather than read again.
      const projectId = data.project_id;
      const at = data.timestamp;
      if (typeof projectId !== "string" || typeof at !== "string") return;
      client.setQueryData<ProjectOverview[]>(keys.overview, (cards) => {
        const card = cards?.find((c) => c.project.id === projectId);
        const known = card?.last_activity_at ? Date.parse(card.last_activity_at) : 0;
        if (!cards || !card || known >= Date.parse(at)) return cards;
        return cards.map((c) => (c === card ? { ...c, last_activity_at: at } : c));
      });
    }
  };
}
