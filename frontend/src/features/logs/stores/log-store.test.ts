import { beforeEach, describe, expect, it } from "vitest";
import type { LogEntry } from "@/lib/api-types";
import { MAX_LINES, searchLines, useLogStore, visibleLines } from "./log-store";

function line(id: number, level = "info", source = "agent.log", message = `line ${id}`): LogEntry {
  return {
    id,
    project_id: "p",
    session_id: null,
    timestamp: "",
    level,
    source,
    message,
    metadata: null,
    raw: null,
  };
}

describe("log store", () => {
  beforeEach(() => useLogStore.getState().reset());

  it("appends in id order and ignores lines it already has (a stream resumed at the seam)", () => {
    const store = useLogStore.getState();
    store.append([line(1), line(2)]);
    store.append([line(2), line(3)]);
    expect(useLogStore.getState().lines.map((l) => l.id)).toEqual([1, 2, 3]);
  });

  it("keeps at most MAX_LINES, dropping the oldest, and says older lines exist", () => {
    const batch = Array.from({ length: MAX_LINES + 6000 }, (_, i) => line(i + 1));
    useLogStore.getState().append(batch);
    const { lines, hasOlder } = useLogStore.getState();
    expect(lines.length).toBe(MAX_LINES);
    expect(lines[lines.length - 1].id).toBe(MAX_LINES + 6000);
    expect(hasOlder).toBe(true);
  });

  it("prepends older pages before the first line", () => {
    const store = useLogStore.getState();
    store.append([line(10), line(11)]);
    store.prepend([line(8), line(9), line(10)], true);
    expect(useLogStore.getState().lines.map((l) => l.id)).toEqual([8, 9, 10, 11]);
    expect(useLogStore.getState().hasOlder).toBe(true);
  });

  it("collects the sources it has seen for the filter", () => {
    useLogStore.getState().append([line(1, "info", "runner"), line(2, "info", "agent.log")]);
    expect(useLogStore.getState().sources).toEqual(["agent.log", "runner"]);
  });
});

describe("filters and search", () => {
  const lines = [
    line(1, "debug"),
    line(2, "warn", "runner", "Disk almost full"),
    line(3, "error", "agent.log", "disk gone"),
  ];

  it("filters by minimum level and source", () => {
    expect(visibleLines(lines, { level: "warn", source: "" }).map((l) => l.id)).toEqual([2, 3]);
    expect(visibleLines(lines, { level: "", source: "runner" }).map((l) => l.id)).toEqual([2]);
  });

  it("finds matches case-insensitively", () => {
    expect(searchLines(lines, "DISK")).toEqual([1, 2]);
  });
});
