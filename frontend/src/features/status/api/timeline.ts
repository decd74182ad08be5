/** The run's phase history: every phase_change event it wrote, however long the run. */

import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { LogPage } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";

export interface TimelineEvent {
  event: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const PAGE = 1000;
// A run changes phase a handful of times per iteration at most; this bounds a runaway file.
const MAX_PAGES = 20;

/** Only the phase_change lines (the server filters on their text), oldest first, page by
 * page: the newest 1,000 event lines of a long run may hold none of them. */
export async function readPhaseChanges(
  sessionId: string,
  signal?: AbortSignal,
): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  let after = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const got = await api.get<LogPage>(
      "/api/logs",
      { session_id: sessionId, source: "events", q: "phase_change", after, limit: PAGE },
      signal,
    );
    for (const line of got.items) {
      if (line.metadata?.event !== "phase_change") continue;
      out.push({
        event: "phase_change",
        timestamp: line.timestamp,
        data: (line.metadata?.data as Record<string, unknown>) ?? {},
      });
    }
    if (got.items.length < PAGE || got.next_after === null) break;
    after = got.next_after;
  }
  return out;
}

export function useTimeline(sessionId: string) {
  return useQuery({
    queryKey: keys.timeline(sessionId),
    queryFn: ({ signal }) => readPhaseChanges(sessionId, signal),
  });
}
