import { queryOptions } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { Learning, Page } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";

/** Ranked full-text search when there is a query, else the newest learnings. */
export const learningsQuery = (q: string, type: string) =>
  queryOptions({
    queryKey: keys.learnings(q, type),
    queryFn: async ({ signal }) =>
      q.trim()
        ? api.get<Learning[]>("/api/learnings/search", { q: q.trim(), type, limit: 100 }, signal)
        : (await api.get<Page<Learning>>("/api/learnings", { type, limit: 200 }, signal)).items,
    placeholderData: (previous) => previous,
  });
