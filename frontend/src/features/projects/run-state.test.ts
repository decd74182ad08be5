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
      session && ({ id: `s-${name}`, exit_code: null, snapshot: null, ...session } as Session),
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
  it("lists a failed run with its phase", () => {
    expect(reasons([card({ status: "failed", phase: "QA" })])).toEqual([
      ["shop", "failed", "phase QA"],
    ]);
  });

  it("does not flag a run stopped from the dashboard, whatever signal ended it", () => {
    for (const exit_code of [-15, -9, 143, 0]) {
      expect(reasons([card({ status: "stopped", exit_code }, { stop_requested: true })])).toEqual(
        [],
      );
    }
  });

  it("does not flag a run that recorded a deliberate end itself", () => {
    const ended = card({ status: "stopped", snapshot: { autonomy_status: "exited" } });
    expect(reasons([ended])).toEqual([]);
  });

  it("flags a run that died mid-work, seen only through its files", () => {
    const crashed = card({ status: "stopped", snapshot: { autonomy_status: "running" } });
    expect(reasons([crashed])).toEqual([["shop", "stopped unexpectedly", "last seen running"]]);
    expect(reasons([card({ status: "stopped" })])).toEqual([
      ["shop", "stopped unexpectedly", "its process is gone"],
    ]);
    expect(reasons([card({ status: "stopped", exit_code: 1 })])).toEqual([
      ["shop", "stopped unexpectedly", "exit code 1"],
    ]);
  });

  it("lists a paused run", () => {
    expect(reasons([card({ status: "paused" })])).toEqual([
      ["shop", "paused", "waiting to be resumed"],
    ]);
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
      card({ status: "paused" }, { task_counts: { review: 2 } }, "b"),
      card({ status: "failed", phase: null }, {}, "c"),
    ];
    expect(reasons(cards)).toEqual([
      ["c", "failed", "phase ?"],
      ["b", "paused", "waiting to be resumed"],
      ["a", "tasks in review", "1 task"],
      ["b", "tasks in review", "2 tasks"],
    ]);
  });
});
