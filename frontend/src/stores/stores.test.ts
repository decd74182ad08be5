import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { useConnectionStatus, useConnectionStore } from "./connection-store";
import { usePreferences } from "./preferences-store";
import { useTokenStore } from "./token-store";

afterEach(() => {
  useConnectionStore.setState({ status: "connecting", lastSeq: null, attempts: 0 });
  useTokenStore.setState({ token: null, needsToken: false });
  usePreferences.setState({ quietMinutes: 10 });
  localStorage.clear();
});

const saved = (name: string) => JSON.parse(localStorage.getItem(name) ?? "null")?.state;

describe("connection store", () => {
  it("patches only what it is given, and the status hook follows", () => {
    const { result } = renderHook(() => useConnectionStatus());
    expect(result.current).toBe("connecting");
    act(() => useConnectionStore.getState().set({ status: "live", lastSeq: 41 }));
    expect(result.current).toBe("live");
    act(() => useConnectionStore.getState().set({ status: "reconnecting", attempts: 2 }));
    expect(useConnectionStore.getState()).toMatchObject({
      status: "reconnecting",
      lastSeq: 41,
      attempts: 2,
    });
  });
});

describe("token store", () => {
  it("keeps the token in this browser, never the sign-in prompt's state", () => {
    useTokenStore.getState().setNeedsToken(true);
    useTokenStore.getState().setToken("loki_abc");
    expect(useTokenStore.getState().needsToken).toBe(false); // a token answers the prompt
    expect(saved("loki-token")).toEqual({ token: "loki_abc" });
    useTokenStore.getState().setNeedsToken(true);
    expect(saved("loki-token")).toEqual({ token: "loki_abc" });
  });
});

describe("preferences store", () => {
  it("keeps the quiet time for 'needs you' in this browser", () => {
    usePreferences.getState().setQuietMinutes(25);
    expect(usePreferences.getState().quietMinutes).toBe(25);
    expect(saved("loki-preferences")).toMatchObject({ quietMinutes: 25 });
  });
});
