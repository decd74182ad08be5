import { describe, expect, it } from "vitest";
import { withoutPerpetualCaveat } from "./session-controls";

describe("the pause answer for a run with a PRD", () => {
  it("drops only the sentence about perpetual mode", () => {
    const message =
      "PAUSE written: the run pauses at its next iteration boundary. A run in perpetual mode " +
      "(no PRD) deletes PAUSE and carries on; you will be told if that happens.";
    expect(withoutPerpetualCaveat(message)).toBe(
      "PAUSE written: the run pauses at its next iteration boundary.",
    );
    expect(withoutPerpetualCaveat("Paused. Resume when ready.")).toBe("Paused. Resume when ready.");
  });
});
