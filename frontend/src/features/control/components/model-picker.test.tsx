import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Session } from "@/lib/api-types";
import { useRunNotices } from "@/stores/run-notices-store";
import { ModelPicker } from "./model-picker";

const session = (provider: string) => ({ id: "s1", provider }) as Session;
const picker = () => screen.getByLabelText("Switch model") as HTMLSelectElement;

describe("the model picker", () => {
  beforeEach(() => useRunNotices.setState({ models: {}, inputRefused: [] }));
  afterEach(cleanup);

  it("keeps showing the current model until the server accepts a switch", () => {
    const onSwitch = vi.fn();
    render(<ModelPicker session={session("claude")} pending={false} onSwitch={onSwitch} />);
    expect(picker().value).toBe("");
    fireEvent.change(picker(), { target: { value: "opus" } });
    expect(onSwitch).toHaveBeenCalledWith("opus");
    expect(picker().value).toBe(""); // refused or not answered yet: no change
    act(() => useRunNotices.getState().setModel("s1", "sonnet"));
    expect(picker().value).toBe("sonnet");
  });

  it("is shown but disabled for other providers, saying why", () => {
    render(<ModelPicker session={session("codex")} pending={false} onSwitch={vi.fn()} />);
    expect(picker().disabled).toBe(true);
    expect(picker().title).toContain("this run uses codex");
  });
});
