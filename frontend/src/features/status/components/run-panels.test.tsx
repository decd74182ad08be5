import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ChecklistPanel, CouncilPanel, QualityPanel } from "./run-panels";

afterEach(cleanup);

describe("the run's quality, council and checklist files on screen", () => {
  it("shows gate passes, failures and the test results", () => {
    render(
      <QualityPanel
        quality={{
          passed: ["lint"],
          failures: ["unit tests"],
          tests: { passed: 40, failed: 2, summary: { duration_s: 12 } },
        }}
      />,
    );
    expect(screen.getByText("lint")).toBeTruthy();
    expect(within(screen.getByLabelText("Gate failures")).getByText("unit tests")).toBeTruthy();
    const tests = screen.getByLabelText("Test results");
    expect(within(tests).getByText("failed").nextSibling?.textContent).toBe("2");
    expect(within(screen.getByLabelText("Test summary")).getByText("12")).toBeTruthy();
  });

  it("lists council verdicts newest first under the vote totals", () => {
    render(
      <CouncilPanel
        council={{
          enabled: true,
          total_votes: 6,
          verdicts: [
            { iteration: 3, approve: 1, reject: 2, result: "REJECTED" },
            { iteration: 5, approve: 3, reject: 0, result: "APPROVED" },
          ],
        }}
      />,
    );
    expect(within(screen.getByLabelText("Council totals")).getByText("6")).toBeTruthy();
    const rows = within(screen.getByLabelText("Council verdicts")).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual(["530APPROVED", "312REJECTED"]);
  });

  it("shows the checklist summary, a verified meter and each category's items", () => {
    render(
      <ChecklistPanel
        checklist={{
          summary: { total: 4, verified: 3, failing: 1, pending: 0 },
          categories: [
            {
              name: "Auth",
              items: [
                { id: "a1", title: "Login works", status: "verified" },
                { id: "a2", title: "Logout works", status: "failing" },
              ],
            },
          ],
        }}
      />,
    );
    expect(screen.getByRole("meter").getAttribute("aria-valuenow")).toBe("3");
    expect(screen.getByText("Auth · 1/2 verified")).toBeTruthy();
    expect(screen.getByText("Logout works").nextSibling?.textContent).toBe("failing");
  });

  it("says when nothing was reported", () => {
    render(<ChecklistPanel checklist={{}} />);
    render(<CouncilPanel council={{}} />);
    render(<QualityPanel quality={{}} />);
    expect(screen.getByText("No checklist results.")).toBeTruthy();
    expect(screen.getByText("No council votes.")).toBeTruthy();
    expect(screen.getByText("No gate results yet.")).toBeTruthy();
  });
});
