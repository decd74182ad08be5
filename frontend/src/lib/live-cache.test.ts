import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useRunNotices } from "@/stores/run-notices-store";
import type { ProjectOverview, Task, WireMessage } from "./api-types";
import { createLiveCache } from "./live-cache";
import { keys } from "./query-keys";
import { useToastStore } from "./toast";

function event(type: string, data: Record<string, unknown>): WireMessage {
  return { type, channel: "project:p", timestamp: "", seq: 1, data };
}

function task(id: string, order: number): Task {
  return {
    id,
    project_id: "p",
    status: "pending",
    column_order: order,
    title: id,
    created_at: "2026-01-01T00:00:00Z",
  } as Task; // the fields the board logic reads
}

const card = (at: string | null) =>
  ({
    project: { id: "p" },
    session: null,
    task_counts: {},
    active_agents: 0,
    last_activity_at: at,
  }) as unknown as ProjectOverview;

describe("live events into the query cache", () => {
  let client: QueryClient;
  let apply: (message: WireMessage) => void;
  beforeEach(() => {
    vi.useFakeTimers();
    client = new QueryClient();
    apply = createLiveCache(client);
  });
  afterEach(() => vi.useRealTimers());

  it("patches the board in place and reloads it once after a burst", () => {
    client.setQueryData(keys.board("p"), [task("a", 0), task("b", 1)]);
    const invalidate = vi.spyOn(client, "invalidateQueries");
    apply(event("task:moved", { ...task("b", 0) }));
    apply(event("task:deleted", { id: "a", project_id: "p" }));
    expect(
      client.getQueryData<Task[]>(keys.board("p"))?.map((t) => [t.id, t.column_order]),
    ).toEqual([["b", 0]]);
    const boardReloads = () =>
      invalidate.mock.calls.filter(
        ([filter]) => JSON.stringify(filter?.queryKey) === JSON.stringify(keys.board("p")),
      );
    expect(boardReloads()).toHaveLength(0);
    vi.advanceTimersByTime(2000);
    expect(boardReloads()).toHaveLength(1);
  });

  it("applies a task event that came during a board read again on top of that read", async () => {
    let answer: (tasks: Task[]) => void = () => undefined;
    const read = client.fetchQuery({
      queryKey: keys.board("p"),
      queryFn: () => new Promise<Task[]>((resolve) => (answer = resolve)),
    });
    apply(event("task:created", { ...task("new", 1) })); // committed after the read was made
    answer([task("old", 0)]); // ...so the read does not have it
    await read;
    expect(client.getQueryData<Task[]>(keys.board("p"))?.map((t) => t.id)).toEqual(["old", "new"]);
    // A later read stands as it is: the event was applied once, not kept for ever.
    await client.fetchQuery({ queryKey: keys.board("p"), queryFn: async () => [task("x", 0)] });
    expect(client.getQueryData<Task[]>(keys.board("p"))?.map((t) => t.id)).toEqual(["x"]);
  });

  it("moves a card's last activity from a log line without reading the overview again", () => {
    client.setQueryData(keys.overview, [card("2026-12-02T10:00:00Z")]);
    const invalidate = vi.spyOn(client, "invalidateQueries");
    apply(event("log:entry", { project_id: "p", timestamp: "2026-12-02T10:00:05+00:00" }));
    apply(event("log:entry", { project_id: "p", timestamp: "2026-12-02T09:00:00+00:00" })); // older
    vi.advanceTimersByTime(2000);
    expect(client.getQueryData<ProjectOverview[]>(keys.overview)?.[0].last_activity_at).toBe(
      "2026-12-02T10:00:05+00:00",
    );
    expect(invalidate).not.toHaveBeenCalled();
  });

  it("stores a session event as that session and refreshes its project's lists", () => {
    const invalidate = vi.spyOn(client, "invalidateQueries");
    apply(event("session:paused", { id: "s1", project_id: "p", status: "paused" }));
    expect(client.getQueryData<{ status: string }>(keys.session("s1"))?.status).toBe("paused");
    const refreshed = invalidate.mock.calls.map(([filter]) => JSON.stringify(filter?.queryKey));
    expect(refreshed).toContain(JSON.stringify(keys.sessions("p")));
    vi.advanceTimersByTime(600);
    expect(invalidate.mock.calls.map(([f]) => JSON.stringify(f?.queryKey))).toContain(
      JSON.stringify(keys.overview),
    );
  });

  it("does not let a read begun before a session event put the older row back", async () => {
    vi.useRealTimers();
    const answers: Array<(status: string) => void> = [];
    const observer = new QueryObserver(client, {
      queryKey: keys.session("s1"),
      queryFn: () =>
        new Promise<{ id: string; status: string }>((resolve) =>
          answers.push((status) => resolve({ id: "s1", status })),
        ),
    });
    const unsubscribe = observer.subscribe(() => {});
    await vi.waitFor(() => expect(answers).toHaveLength(1)); // a read is in flight
    apply(event("session:stopped", { id: "s1", project_id: "p", status: "stopped" }));
    answers[0]("stopping"); // the server answered before the stop was committed
    await vi.waitFor(() => expect(answers).toHaveLength(2)); // so it is read again
    answers[1]("stopped");
    await vi.waitFor(() =>
      expect(client.getQueryState(keys.session("s1"))?.fetchStatus).toBe("idle"),
    );
    expect(client.getQueryData<{ status: string }>(keys.session("s1"))?.status).toBe("stopped");
    unsubscribe();
  });
});

describe("the run's answers to control actions", () => {
  let apply: (message: WireMessage) => void;
  beforeEach(() => {
    apply = createLiveCache(new QueryClient());
    useToastStore.setState({ toasts: [] });
    useRunNotices.setState({ inputRefused: [] });
  });

  const answer = (type: string, message: string, channel = "project:p") => ({
    type,
    channel,
    timestamp: "",
    seq: 1,
    data: { session_id: "s1", project_id: "p", message },
  });

  it("shows each answer with the server's words, as success or error", () => {
    apply(answer("control:paused", "the run paused"));
    apply(answer("control:pause_not_honoured", "the run deleted PAUSE and carried on"));
    apply(answer("control:input_accepted", "the run took the human input"));
    expect(useToastStore.getState().toasts.map((t) => [t.kind, t.text])).toEqual([
      ["success", "The run paused"],
      ["error", "The run deleted PAUSE and carried on"],
      ["success", "The run took the human input"],
    ]);
    expect(useRunNotices.getState().inputRefused).toEqual([]);
  });

  it("remembers a run that rejected human input, even when seen on the overview", () => {
    apply(answer("control:input_rejected", "the run rejected the human input", "global"));
    expect(useRunNotices.getState().inputRefused).toEqual(["s1"]);
    expect(useToastStore.getState().toasts).toEqual([]); // not the screen being looked at
    apply(answer("control:input_rejected", "the run rejected the human input"));
    expect(useRunNotices.getState().inputRefused).toEqual(["s1"]);
    expect(useToastStore.getState().toasts[0]).toMatchObject({
      kind: "error",
      text: "The run rejected the human input",
    });
  });

  it("leaves the action's own requests to the action's toast", () => {
    apply(answer("control:stop_requested", "stop"));
    apply(answer("control:input_sent", "sent"));
    expect(useToastStore.getState().toasts).toEqual([]);
  });
});
