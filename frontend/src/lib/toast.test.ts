import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { toast, useToastStore } from "./toast";

describe("toasts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useToastStore.setState({ toasts: [] });
  });
  afterEach(() => vi.useRealTimers());

  const texts = () => useToastStore.getState().toasts.map((t) => t.text);

  it("shows the newest five and lets the user dismiss one", () => {
    for (const n of [1, 2, 3, 4, 5, 6]) toast.info(`note ${n}`);
    expect(texts()).toEqual(["note 2", "note 3", "note 4", "note 5", "note 6"]);
    const [first] = useToastStore.getState().toasts;
    useToastStore.getState().dismiss(first.id);
    expect(texts()).toEqual(["note 3", "note 4", "note 5", "note 6"]);
  });

  it("goes away by itself after six seconds", () => {
    toast.error("Move refused");
    toast.success("Saved");
    expect(useToastStore.getState().toasts.map((t) => t.kind)).toEqual(["error", "success"]);
    vi.advanceTimersByTime(5999);
    expect(texts()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(texts()).toEqual([]);
  });
});
