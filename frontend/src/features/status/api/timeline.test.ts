import { afterEach, describe, expect, it, vi } from "vitest";
import { readPhaseChanges } from "./timeline";

const line = (id: number, event: string, to?: string) => ({
  id,
  timestamp: `2026-12-03T10:00:${String(id % 60).padStart(2, "0")}Z`,
  metadata: { event, data: to ? { to } : {} },
});

describe("the phase timeline's reads", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("asks for phase changes only and reads on past a full page", async () => {
    const first = [
      line(1, "phase_change", "discovery"),
      ...Array.from({ length: 999 }, (_, i) => line(i + 2, "iteration_start")),
    ];
    const pages: Record<string, unknown> = {
      "0": { items: first, next_before: null, next_after: 1000 },
      "1000": { items: [line(1001, "phase_change", "qa")], next_before: 1, next_after: 1001 },
    };
    const urls: URL[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        const parsed = new URL(url, "http://x");
        urls.push(parsed);
        return new Response(JSON.stringify(pages[parsed.searchParams.get("after") ?? ""]), {
          headers: { "Content-Type": "application/json" },
        });
      }),
    );
    const events = await readPhaseChanges("s1");
    expect(events.map((e) => e.data.to)).toEqual(["discovery", "qa"]);
    expect(urls).toHaveLength(2);
    expect(Object.fromEntries(urls[0].searchParams)).toMatchObject({
      session_id: "s1",
      source: "events",
      q: "phase_change",
      after: "0",
    });
  });
});
