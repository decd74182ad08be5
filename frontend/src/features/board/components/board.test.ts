import { describe, expect, it } from "vitest";
import type { Task, TaskStatus } from "@/lib/api-types";
import { emptyColumns } from "@/lib/board-state";
import { dropTarget } from "./board";

const columns = (() => {
  const out = emptyColumns();
  out.pending = ["a", "b", "c"].map((id) => ({ id }) as Task);
  out.review = [{ id: "r" } as Task];
  return out as Record<TaskStatus, Task[]>;
})();

describe("where a drop lands", () => {
  it("takes the place of the card it is over", () => {
    expect(dropTarget(columns, "b")).toEqual({ status: "pending", order: 1 });
    expect(dropTarget(columns, "r")).toEqual({ status: "review", order: 0 });
  });

  it("goes after the last card over a column's end, or first in an empty one", () => {
    expect(dropTarget(columns, "column:pending")).toEqual({ status: "pending", order: 3 });
    expect(dropTarget(columns, "column:failed")).toEqual({ status: "failed", order: 0 });
  });

  it("lands nowhere over something that is not on the board", () => {
    expect(dropTarget(columns, "gone")).toBeNull();
  });
});
