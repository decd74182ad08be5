import { describe, expect, it } from "vitest";
import { phaseSpans } from "./phases";

describe("phaseSpans", () => {
  it("turns phase changes into spans that end where the next begins", () => {
    const spans = phaseSpans(
      [
        { event: "phase_change", timestamp: "t1", data: { from: null, to: "bootstrap" } },
        { event: "iteration_start", timestamp: "t2", data: { iteration: 1 } },
        { event: "phase_change", timestamp: "t3", data: { from: "BOOTSTRAP", to: "BUILDING" } },
      ],
      "BUILDING",
    );
    expect(spans).toEqual([
      { phase: "BOOTSTRAP", start: "t1", end: "t3" },
      { phase: "BUILDING", start: "t3", end: null },
    ]);
  });

  it("falls back to the current phase when no change was recorded", () => {
    expect(phaseSpans([], "ACT")).toEqual([{ phase: "ACT", start: "", end: null }]);
  });
});
