/** Log pages and the live stream for the terminal view (which keeps its own buffer). */

import { api, authHeaders, buildUrl } from "@/lib/api-client";
import type { LogEntry, LogPage } from "@/lib/api-types";

export const PAGE = 1000;

export function newestLines(projectId: string): Promise<LogPage> {
  return api.get<LogPage>("/api/logs", { project_id: projectId, limit: PAGE });
}

export function olderLines(projectId: string, before: number): Promise<LogPage> {
  return api.get<LogPage>("/api/logs", { project_id: projectId, before, limit: PAGE });
}

export function streamUrl(projectId: string, after: number): string {
  return buildUrl("/api/logs/stream", { project_id: projectId, after });
}

export function parseEntry(data: string): LogEntry | null {
  try {
    return JSON.parse(data) as LogEntry;
  } catch {
    return null;
  }
}

/** Fetch the whole log as a file (a plain link could not carry the token). */
export async function downloadLog(projectId: string, filter: { level: string; source: string }) {
  const url = buildUrl("/api/logs/download", {
    project_id: projectId,
    level: filter.level,
    source: filter.source,
  });
  const response = await fetch(url, { headers: authHeaders() });
  if (!response.ok) throw new Error(`download failed: ${response.status}`);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `loki-${projectId}.log`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
