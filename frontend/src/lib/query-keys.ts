/**
 * Every query key in one place, so live events and mutations invalidate exactly what they
 * change. Rules: a task event patches `tasks.board(project)`; a session event patches
 * `sessions.detail(id)` and invalidates `sessions.list(project)` and `overview`; agents and
 * projects are invalidated; counts on the overview follow task and agent events.
 */

export const keys = {
  overview: ["overview"] as const,
  projects: ["projects"] as const,
  project: (id: string) => ["projects", id] as const,
  activeProject: ["projects", "active"] as const,
  prdFiles: (projectId: string) => ["projects", projectId, "prd-files"] as const,
  board: (projectId: string) => ["tasks", "board", projectId] as const,
  sessions: (projectId: string) => ["sessions", "list", projectId] as const,
  session: (id: string) => ["sessions", "detail", id] as const,
  agents: (projectId: string) => ["agents", projectId] as const,
  learnings: (q: string, type: string) => ["learnings", q, type] as const,
  status: ["status"] as const,
  tokens: ["tokens"] as const,
};
