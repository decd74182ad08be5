import { describe, expect, it } from "vitest";
import type { ProjectOverview, Session } from "@/lib/api-types";
import { needsYou, runState } from "./run-state";

const NOW = Date.parse("2026-12-03T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

function card(
  session: Partial<Session> | null,
  extra: Partial<ProjectOverview> = {},
  name = "shop",
): ProjectOverview {
  return {
    project: { id: name, name, path: `/p/${name}`, missing: false },
    session:
      session &&
      ({ id: `s-${name}`, exit_code: null, snapshot: null, summary: null, ...session } as Session),
    task_counts: {},
    active_agents: 0,
    stop_requested: false,
    last_activity_at: minutesAgo(1),
    ...extra,
  } as ProjectOverview;
}

const reasons = (cards: ProjectOverview[], quiet = 10) =>
  needsYou(cards, NOW, quiet).map((item) => [item.projectName, item.reason, item.detail]);

describe("runState", () => {
  it("says missing for a gone folder, idle without a run, running while starting", () => {
    expect(runState(card({ status: "running" }, { project: { missing: true } } as never))).toBe(
      "missing",
    );
    expect(runState(card(null))).toBe("idle");
    expect(runState(card({ status: "starting" }))).toBe("running");
    expect(runState(card({ status: "stopping" }))).toBe("stopping");
  });
});

describe("needs you", () => {
  it("lists a failed run in the run's own words", () => {
    const failed = card({ status: "failed", summary: "Failed after 2 iterations: build broke." });
    expect(reasons([failed])).toEqual([
      ["shop", "failed", "Failed after 2 iterations: build broke."],
    ]);
  });

  it("lists a run that ended asking for a decision, unless it was stopped from here", () => {
    const limit = {
      status: "stopped",
      outcome: "max_iterations",
      summary: "Stopped at its iteration limit after 3 iterations; 3 tasks still pending.",
      snapshot: { needs_person: true },
    } as const;
    expect(reasons([card(limit)])).toEqual([
      [
        "shop",
        "needs a decision",
        "Stopped at its iteration limit after 3 iterations; 3 tasks still pending.",
      ],
    ]);
    expect(reasons([card(limit, { stop_requested: true })])).toEqual([]);
  });

  it("does not flag a run that ended as it was asked to", () => {
    const stopped = card({ status: "stopped", outcome: "stopped", snapshot: {} });
    const done = card({ status: "completed", outcome: "complete", snapshot: {} });
    expect(reasons([stopped, done])).toEqual([]);
  });

  it("lists a paused run with why it paused", () => {
    const paused = card({ status: "paused", summary: "Paused after iteration 2." });
    expect(reasons([paused])).toEqual([["shop", "paused", "Paused after iteration 2."]]);
    // A pause only requested: the run is still working.
    const asked = card({ status: "running", snapshot: { pause: "requested" } });
    expect(reasons([asked])).toEqual([]);
  });

  it("flags a running project quiet for the configured time, and not before", () => {
    const quiet = card({ status: "running" }, { last_activity_at: minutesAgo(12) });
    expect(reasons([quiet], 10)).toEqual([["shop", "no progress", "quiet for 12 min"]]);
    expect(reasons([quiet], 15)).toEqual([]);
    // Only a running project: a paused or finished one is quiet on purpose.
    expect(reasons([card({ status: "completed" }, { last_activity_at: minutesAgo(60) })])).toEqual(
      [],
    );
  });

  it("lists tasks in review next to the run's own reason, most urgent first", () => {
    const cards = [
      card(null, { task_counts: { review: 1 } }, "a"),
      card({ status: "paused", summary: "Paused." }, { task_counts: { review: 2 } }, "b"),
      card({ status: "failed", summary: "Failed." }, {}, "c"),
    ];
    expect(reasons(cards)).toEqual([
      ["c", "failed", "Failed."],
      ["b", "paused", "Paused."],
      ["a", "tasks in review", "1 task"],
      ["b", "tasks in review", "2 tasks"],
    ]);
  });
});
