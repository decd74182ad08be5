import { useQuery } from "@tanstack/react-query";
import { Link, NavLink, Outlet, useMatch, useNavigate } from "react-router-dom";
import { ConnectionIndicator } from "@/components/ui/connection-indicator";
import { CONTROL } from "@/components/ui/form";
import { Toasts } from "@/components/ui/toasts";
import { TokenPrompt } from "@/features/auth/components/token-prompt";
import { projectsQuery } from "@/features/projects/api/projects";
import { ShortcutHelp, useShortcuts } from "@/hooks/use-shortcuts";

const nav = ({ isActive }: { isActive: boolean }) =>
  `rounded px-2 py-1 text-sm ${isActive ? "bg-slate-200 font-medium dark:bg-slate-700" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`;

export function AppLayout() {
  const help = useShortcuts();
  return (
    <div className="min-h-screen">
      <header className="sticky top-0 z-20 flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white/90 px-3 py-2 backdrop-blur sm:gap-4 dark:border-slate-800 dark:bg-slate-950/90">
        <Link to="/" className="font-bold text-indigo-700 dark:text-indigo-300">
          Loki Dashboard
        </Link>
        <ProjectSwitcher />
        <nav className="flex gap-1" aria-label="Main">
          <NavLink to="/" end className={nav}>
            Overview
          </NavLink>
          <NavLink to="/learnings" className={nav}>
            Learnings
          </NavLink>
          <NavLink to="/settings" className={nav}>
            Settings
          </NavLink>
        </nav>
        <div className="ml-auto flex items-center gap-3">
          <button
            type="button"
            onClick={help.toggle}
            className="text-xs text-slate-500 hover:text-slate-800"
            aria-label="Keyboard shortcuts"
          >
            ?
          </button>
          <ConnectionIndicator />
        </div>
      </header>
      <main className="mx-auto max-w-[120rem] p-3 sm:p-5">
        <Outlet />
      </main>
      <ShortcutHelp open={help.open} onClose={help.close} />
      <TokenPrompt />
      <Toasts />
    </div>
  );
}

function ProjectSwitcher() {
  const { data: projects = [] } = useQuery(projectsQuery());
  const match = useMatch("/projects/:projectId/*");
  const navigate = useNavigate();
  return (
    <select
      aria-label="Switch project"
      value={match?.params.projectId ?? ""}
      onChange={(e) => navigate(e.target.value ? `/projects/${e.target.value}` : "/")}
      className={`${CONTROL} max-w-48`}
    >
      <option value="">All projects</option>
      {projects.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </select>
  );
}
