import { queryOptions } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { Agent, Page } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";

/** Agents of a project, current and past; agent events invalidate this key. */
export const agentsQuery = (projectId: string) =>
  queryOptions({
    queryKey: keys.agents(projectId),
    queryFn: ({ signal }) =>
      api.get<Page<Agent>>("/api/agents", { project_id: projectId, limit: 500 }, signal),
  });
