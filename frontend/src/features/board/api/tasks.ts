/**
 * The board's server data. One query holds a project's whole board; live events patch it
 * (lib/live-cache.ts). A move is optimistic: the cache changes at once and is put back, with a
 * message, when the server refuses (a task the run owns, a held queue lock).
 */

import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "@/lib/api-client";
import type { Task, TaskBoard, TaskDraft, TaskStatus } from "@/lib/api-types";
import { applyMove } from "@/lib/board-state";
import { keys } from "@/lib/query-keys";
import { toast } from "@/lib/toast";

/** The whole board in one request (four 500-task pages took most of a 2,000-card first render). */
async function fetchBoard(projectId: string, signal: AbortSignal): Promise<Task[]> {
  const board = await api.get<TaskBoard>("/api/tasks/board", { project_id: projectId }, signal);
  if (board.truncated.length) {
    const cut = board.truncated.map((s) => `${s.replace("_", " ")} (${board.totals[s]})`);
    toast.info(`Showing the first ${BOARD_LIMIT.toLocaleString()} cards of: ${cut.join(", ")}.`);
  }
  return board.items;
}

export const boardQuery = (projectId: string) =>
  queryOptions({
    queryKey: keys.board(projectId),
    queryFn: ({ signal }) => fetchBoard(projectId, signal),
  });

// The server's cap on the cards of one column in a board (services/tasks.py BOARD_LIMIT).
const BOARD_LIMIT = 5000;

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
