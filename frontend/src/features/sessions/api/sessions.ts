/** Runs of a project and their live snapshot; session events patch `session(id)`. */

import { queryOptions } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { Page, Session } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";

export const sessionsQuery = (projectId: string) =>
  queryOptions({
    queryKey: keys.sessions(projectId),
    queryFn: ({ signal }) =>
      api.get<Page<Session>>("/api/sessions", { project_id: projectId, limit: 100 }, signal),
  });

export const sessionQuery = (id: string) =>
  queryOptions({
    queryKey: keys.session(id),
    queryFn: ({ signal }) => api.get<Session>(`/api/sessions/${id}`, undefined, signal),
  });
