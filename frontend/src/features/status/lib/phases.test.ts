import { describe, expect, it } from "vitest";
import { phaseSpans } from "./phases";

describe("phaseSpans", () => {
  it("turns phase changes into spans that end where the next begins", () => {
    const spans = phaseSpans(
      [
        { phase: "bootstrap", at: "t1" },
        { phase: "BUILDING", at: "t3" },
      ],
      "BUILDING",
    );
    expect(spans).toEqual([
      { phase: "BOOTSTRAP", start: "t1", end: "t3" },
      { phase: "BUILDING", start: "t3", end: null },
    ]);
  });

  it("falls back to the current phase when no change was recorded", () => {
    expect(phaseSpans(undefined, "ACT")).toEqual([{ phase: "ACT", start: null, end: null }]);
  });
});
