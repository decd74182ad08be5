/** Projects and the overview. Adding or removing a project invalidates both lists. */

import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { Project, ProjectOverview } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";

export const overviewQuery = () =>
  queryOptions({
    queryKey: keys.overview,
    queryFn: ({ signal }) => api.get<ProjectOverview[]>("/api/overview", undefined, signal),
  });

export const projectsQuery = () =>
  queryOptions({
    queryKey: keys.projects,
    queryFn: ({ signal }) => api.get<Project[]>("/api/projects", undefined, signal),
  });

export const projectQuery = (id: string) =>
  queryOptions({
    queryKey: keys.project(id),
    queryFn: ({ signal }) => api.get<Project>(`/api/projects/${id}`, undefined, signal),
  });

export function useAddProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { path: string; name?: string }) => api.post<Project>("/api/projects", body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.projects });
      void client.invalidateQueries({ queryKey: keys.overview });
    },
  });
}

export function useRemoveProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/api/projects/${id}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.projects });
      void client.invalidateQueries({ queryKey: keys.overview });
    },
  });
}
