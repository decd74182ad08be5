import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { ApiToken } from "@/lib/api-types";
import { keys } from "@/lib/query-keys";

export const tokensQuery = () =>
  queryOptions({
    queryKey: keys.tokens,
    queryFn: ({ signal }) => api.get<ApiToken[]>("/api/tokens", undefined, signal),
    retry: false,
  });

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scope: string; expires_in_days?: number }) =>
      api.post<ApiToken>("/api/tokens", body),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/api/tokens/${id}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.tokens }),
  });
}
