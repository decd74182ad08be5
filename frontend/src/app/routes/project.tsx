import { useQuery } from "@tanstack/react-query";
import { NavLink, Outlet, useParams } from "react-router-dom";
import { StatusBadge } from "@/components/ui/status-badge";
import { SessionControls } from "@/features/control/components/session-controls";
import { projectQuery } from "@/features/projects/api/projects";
import { sessionQuery, sessionsQuery } from "@/features/sessions/api/sessions";
import { useChannel } from "@/hooks/use-channel";

const tab = ({ isActive }: { isActive: boolean }) =>
  `border-b-2 px-3 py-1.5 text-sm ${isActive ? "border-indigo-600 font-medium" : "border-transparent text-slate-500 hover:text-slate-800 dark:hover:text-slate-200"}`;

/** The newest run of a project, kept live by session events. */
export function useLatestSession(projectId: string) {
  const { data } = useQuery(sessionsQuery(projectId));
  const newest = data?.items[0];
  const { data: live } = useQuery({
    ...sessionQuery(newest?.id ?? ""),
    enabled: !!newest,
    initialData: newest,
  });
  return live ?? null;
}

export function ProjectRoute() {
  const { projectId = "" } = useParams();
  useChannel(projectId ? `project:${projectId}` : null);
  const { data: project, error } = useQuery(projectQuery(projectId));
  const session = useLatestSession(projectId);
  if (error)
    return (
      <p role="alert" className="text-red-600">
        {(error as Error).message}
      </p>
    );
  const base = `/projects/${projectId}`;
  const status = project?.missing ? "missing" : (session?.status ?? "idle");
  return (
    <div className="space-y-3">
      <header className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <h1 className="flex items-center gap-2 text-xl font-semibold">
            <span className="truncate">{project?.name ?? "…"}</span>
            <StatusBadge status={status} />
          </h1>
          <p className="truncate text-xs text-slate-500">
            {project?.path}
            {session ? ` · phase ${session.phase ?? "—"} · iteration ${session.iteration}` : ""}
          </p>
          {session?.summary && (
            <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="run-summary">
              {session.summary}
            </p>
          )}
        </div>
        <SessionControls projectId={projectId} session={session} />
      </header>
      <nav
        className="flex gap-1 overflow-x-auto border-b border-slate-200 dark:border-slate-800"
        aria-label="Project"
      >
        <NavLink to={base} end className={tab}>
          Board
        </NavLink>
        <NavLink to={`${base}/agents`} className={tab}>
          Agents
        </NavLink>
        <NavLink to={`${base}/logs`} className={tab}>
          Logs
        </NavLink>
        <NavLink to={`${base}/system`} className={tab}>
          System
        </NavLink>
        <NavLink to={`${base}/sessions`} className={tab}>
          Sessions
        </NavLink>
      </nav>
      <Outlet />
    </div>
  );
}
