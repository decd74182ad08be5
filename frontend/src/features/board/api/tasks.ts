/**
 * The board's server data. One query holds a project's whole board; live events patch it
 * (lib/live-cache.ts). A move is optimistic: the cache changes at once and is put back, with a
 * message, when the server refuses (a task the run owns, a held queue lock).
 */

import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, getAllPages } from "@/lib/api-client";
import type { Task, TaskDraft, TaskStatus } from "@/lib/api-types";
import { applyMove } from "@/lib/board-state";
import { keys } from "@/lib/query-keys";
import { toast } from "@/lib/toast";

export const boardQuery = (projectId: string) =>
  queryOptions({
    queryKey: keys.board(projectId),
    queryFn: ({ signal }) => getAllPages<Task>("/api/tasks", { project_id: projectId }, signal),
  });

export interface MoveRequest {
  id: string;
  status: TaskStatus;
  order: number;
}

export function useMoveTask(projectId: string) {
  const client = useQueryClient();
  const key = keys.board(projectId);
  return useMutation({
    mutationFn: ({ id, status, order }: MoveRequest) =>
      api.put<Task>(`/api/tasks/${id}/move`, { status, column_order: order }),
    onMutate: async ({ id, status, order }) => {
      await client.cancelQueries({ queryKey: key });
      const before = client.getQueryData<Task[]>(key);
      if (before) client.setQueryData<Task[]>(key, applyMove(before, id, status, order));
      return { before };
    },
    onError: (error, _move, context) => {
      if (context?.before) client.setQueryData(key, context.before);
      toast.error(`Move refused: ${error instanceof ApiError ? error.message : String(error)}`);
    },
  });
}

export function useCreateTask(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (draft: TaskDraft) =>
      api.post<Task>("/api/tasks", { ...draft, project_id: projectId }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.board(projectId) }),
  });
}

export function useUpdateTask(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: TaskDraft & { id: string }) =>
      api.patch<Task>(`/api/tasks/${id}`, patch),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.board(projectId) }),
  });
}

export function useDeleteTask(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/api/tasks/${id}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.board(projectId) }),
  });
}
