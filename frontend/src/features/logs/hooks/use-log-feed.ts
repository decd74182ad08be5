import { useCallback, useEffect, useRef, useState } from "react";
import type { LogEntry } from "@/lib/api-types";
import { newestLines, olderLines, parseEntry, streamUrl } from "../api/logs";
import { followSse } from "../lib/sse";
import { useLogStore } from "../stores/log-store";

// Lines arriving faster than the screen repaints are handed to the store in batches.
const FLUSH_MS = 50;

/** Fill the log store for a project: the newest page, then the live stream, then older pages
 * on demand. Returns the stream state and a loader for older lines. */
export function useLogFeed(projectId: string) {
  const [state, setState] = useState<"loading" | "live" | "retrying">("loading");
  const loadingOlder = useRef(false);

  useEffect(() => {
    useLogStore.getState().reset();
    let stop: (() => void) | null = null;
    let cancelled = false;
    let pending: LogEntry[] = [];
    const timer = setInterval(() => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      useLogStore.getState().append(batch);
    }, FLUSH_MS);
    setState("loading");
    newestLines(projectId)
      .then((page) => {
        if (cancelled) return;
        useLogStore.getState().append(page.items, page.next_before !== null);
        stop = followSse({
          url: streamUrl(projectId, page.next_after ?? 0),
          lastEventId: () => {
            const lines = useLogStore.getState().lines;
            const last = pending.at(-1) ?? lines.at(-1);
            return last ? String(last.id) : null;
          },
          onMessage: (message) => {
            const entry = parseEntry(message.data);
            if (entry) pending.push(entry);
          },
          onState: (s) => setState(s === "open" ? "live" : "retrying"),
        });
      })
      .catch(() => !cancelled && setState("retrying"));
    return () => {
      cancelled = true;
      clearInterval(timer);
      stop?.();
    };
  }, [projectId]);

  // Older than the oldest line held: after the buffer dropped its front, that is the next
  // line still missing, never a page already fetched once.
  const loadOlder = useCallback(async () => {
    const { lines, hasOlder } = useLogStore.getState();
    if (loadingOlder.current || !hasOlder || lines.length === 0) return 0;
    loadingOlder.current = true;
    try {
      const page = await olderLines(projectId, lines[0].id);
      useLogStore.getState().prepend(page.items, page.next_before !== null);
      return page.items.length;
    } finally {
      loadingOlder.current = false;
    }
  }, [projectId]);

  return { state, loadOlder };
}
