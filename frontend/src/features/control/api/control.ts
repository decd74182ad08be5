/** Steering a run: start, pause, resume, stop, human input, model. Outcomes refresh the run. */

import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { ControlResult, Session } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";

/** Markdown files in the project that could be its PRD (read each time the form opens). */
export const prdFilesQuery = (projectId: string) =>
  queryOptions({
    queryKey: keys.prdFiles(projectId),
    queryFn: ({ signal }) =>
      api.get<string[]>(`/api/projects/${projectId}/prd-files`, undefined, signal),
    staleTime: 0,
  });

export function useStartSession(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { prd_path?: string; provider?: string }) =>
      api.post<Session>("/api/sessions", { project_id: projectId, ...body }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.sessions(projectId) });
      void client.invalidateQueries({ queryKey: keys.overview });
    },
  });
}

export type ControlAction = "pause" | "resume" | "stop";

/** The models a claude run can be switched to (the server's ModelSwitch allowlist). */
export const MODELS = ["haiku", "sonnet", "opus"] as const;

export function useControl(sessionId: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ action, body }: { action: ControlAction | "input" | "model"; body?: unknown }) =>
      api.post<ControlResult>(`/api/sessions/${sessionId}/${action}`, body),
    onSuccess: () => {
      if (sessionId) void client.invalidateQueries({ queryKey: keys.session(sessionId) });
    },
  });
}
