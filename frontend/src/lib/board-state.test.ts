import { describe, expect, it } from "vitest";
import type { Task } from "@/lib/api-types";
import {
  applyMove,
  matchesFilter,
  removeTask,
  sourceLabel,
  toColumns,
  upsertTask,
} from "./board-state";

function task(id: string, status: Task["status"], order: number): Task {
  return {
    id,
    project_id: "p",
    session_id: null,
    parent_id: null,
    external_id: null,
    source: "dashboard",
    title: id,
    description: null,
    status,
    priority: "medium",
    type: "engineering",
    column_order: order,
    agent_type: null,
    agent_model: null,
    labels: [],
    github_issue: null,
    output: null,
    error: null,
    metadata: null,
    started_at: null,
    completed_at: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

const ids = (list: Task[]) => list.map((t) => `${t.id}${t.column_order}`);
const board = [
  task("a", "pending", 0),
  task("b", "pending", 1),
  task("c", "pending", 2),
  task("x", "review", 0),
];

describe("applyMove", () => {
  it("reorders within a column and keeps it dense", () => {
    const columns = toColumns(applyMove(board, "c", "pending", 0));
    expect(ids(columns.pending)).toEqual(["c0", "a1", "b2"]);
  });

  it("moves across columns, closing the gap and opening a slot", () => {
    const columns = toColumns(applyMove(board, "a", "review", 0));
    expect(ids(columns.pending)).toEqual(["b0", "c1"]);
    expect(ids(columns.review)).toEqual(["a0", "x1"]);
  });

  it("clamps a position past the end to last", () => {
    expect(ids(toColumns(applyMove(board, "a", "review", 99)).review)).toEqual(["x0", "a1"]);
  });

  it("leaves the board alone for an unknown task", () => {
    expect(applyMove(board, "nope", "failed", 0)).toEqual(board);
  });
});

describe("live changes", () => {
  it("places a created task at its order and shifts the rest", () => {
    const columns = toColumns(upsertTask(board, task("n", "pending", 0)));
    expect(ids(columns.pending)).toEqual(["n0", "a1", "b2", "c3"]);
  });

  it("replaces fields in place when the position did not change", () => {
    const renamed = { ...task("b", "pending", 1), title: "renamed" };
    const next = upsertTask(board, renamed);
    expect(next.find((t) => t.id === "b")?.title).toBe("renamed");
    expect(ids(toColumns(next).pending)).toEqual(["a0", "b1", "c2"]);
  });

  it("applies a move made elsewhere the way the server numbers it", () => {
    const moved = task("a", "completed", 0);
    const columns = toColumns(upsertTask(board, moved));
    expect(ids(columns.pending)).toEqual(["b0", "c1"]);
    expect(ids(columns.completed)).toEqual(["a0"]);
  });

  it("removes a deleted task and renumbers its column", () => {
    expect(ids(toColumns(removeTask(board, "a")).pending)).toEqual(["b0", "c1"]);
  });
});

describe("source badges", () => {
  const from = (source: string, github_issue: number | null = null) =>
    sourceLabel({ source, github_issue });

  it("names who put the task on the board", () => {
    expect(from("dashboard")).toBe("dashboard");
    expect(from("prd")).toBe("PRD");
    expect(from("PRD")).toBe("PRD");
    expect(from("github")).toBe("GitHub");
    expect(from("todo-write")).toBe("agent");
  });

  it("shows the run's own tasks as iteration, whatever name the run stored", () => {
    expect(from("loki")).toBe("iteration");
    expect(from("runner")).toBe("iteration");
    expect(from("iteration")).toBe("iteration");
  });

  it("shows a task linked to a GitHub issue as GitHub", () => {
    expect(from("loki", 42)).toBe("GitHub");
  });

  it("filters on the badge, not the stored name", () => {
    const filter = { q: "", priority: "", source: "iteration", label: "" };
    expect(matchesFilter({ ...task("a", "pending", 0), source: "loki" }, filter)).toBe(true);
    expect(matchesFilter({ ...task("b", "pending", 0), source: "dashboard" }, filter)).toBe(false);
  });
});
