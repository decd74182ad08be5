import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keys } from "@/lib/query-keys";
import { likelyPrd, StartSessionForm } from "./start-session-form";

function renderForm(candidates: string[]) {
  const client = new QueryClient();
  client.setQueryData(keys.prdFiles("p"), candidates);
  const onStart = vi.fn();
  render(
    <QueryClientProvider client={client}>
      <StartSessionForm projectId="p" pending={false} onStart={onStart} onCancel={vi.fn()} />
    </QueryClientProvider>,
  );
  return onStart;
}

const prdField = () => screen.getByLabelText(/PRD file/) as HTMLInputElement;

describe("starting a session", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("fills in the project's PRD", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => new Promise(() => {})),
    ); // the cached list is enough
    const onStart = renderForm(["docs/PRD.md", "README.md"]);
    await waitFor(() => expect(prdField().value).toBe("docs/PRD.md"));
    expect(screen.queryByRole("note", { name: "Perpetual mode" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Start" }));
    expect(onStart).toHaveBeenCalledWith({ prd_path: "docs/PRD.md", provider: undefined });
  });

  it("does not take any Markdown file for the PRD", () => {
    expect(likelyPrd(["README.md", "docs/prd.md"])).toBeUndefined();
    expect(likelyPrd(["specs/my-PRD.md"])).toBe("specs/my-PRD.md");
    expect(likelyPrd([])).toBeUndefined();
  });

  it("explains perpetual mode and starts it only when chosen", () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => new Promise(() => {})),
    );
    const onStart = renderForm(["README.md"]);
    expect(prdField().value).toBe("");
    const note = screen.getByRole("note", { name: "Perpetual mode" });
    expect(note.textContent).toContain("ignores Pause");
    const start = screen.getByRole("button", { name: "Start in perpetual mode" });
    expect((start as HTMLButtonElement).disabled).toBe(true);
    fireEvent.submit(start.closest("form") as HTMLFormElement);
    expect(onStart).not.toHaveBeenCalled();
    fireEvent.click(screen.getByLabelText("Start without a PRD, in perpetual mode"));
    fireEvent.click(start);
    expect(onStart).toHaveBeenCalledWith({ prd_path: undefined, provider: undefined });
  });

  it("keeps what the user typed over the suggestion", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => new Promise(() => {})),
    );
    renderForm(["PRD.md"]);
    await waitFor(() => expect(prdField().value).toBe("PRD.md"));
    fireEvent.change(prdField(), { target: { value: "" } });
    expect(prdField().value).toBe("");
    expect(screen.getByRole("note", { name: "Perpetual mode" })).toBeTruthy();
  });
});
