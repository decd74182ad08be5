import { Link } from "react-router-dom";
import { formatAge, formatCost, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { ProjectOverview } from "@/lib/api-types";
import { runState } from "../run-state";

export function ProjectCard({ card, onRemove }: { card: ProjectOverview; onRemove: () => void }) {
  const { project, session, task_counts: counts } = card;
  const state = runState(card);
  const tokens = session?.snapshot?.tokens;
  return (
    <article
      data-testid="project-card"
      data-project-id={project.id}
      className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900"
    >
      <header className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <Link
            to={`/projects/${project.id}`}
            className="block truncate font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
          >
            {project.name}
          </Link>
          <p className="truncate text-xs text-slate-500" title={project.path}>
            {project.path}
          </p>
        </div>
        <StatusBadge status={state} />
      </header>
      <dl className="grid grid-cols-3 gap-2 text-xs">
        <Stat label="Phase" value={session?.phase ?? "—"} />
        <Stat label="Iteration" value={session ? String(session.iteration) : "—"} />
        <Stat label="Agents" value={String(card.active_agents)} />
        <Stat label="Tokens" value={tokens ? formatTokens(tokens.input + tokens.output) : "—"} />
        <Stat label="Cost" value={tokens ? formatCost(tokens.cost_usd) : "—"} />
        <Stat label="Active" value={formatAge(card.last_activity_at)} />
      </dl>
      <div role="group" className="flex flex-wrap gap-1 text-xs" aria-label="Tasks by status">
        {Object.entries(counts).map(([status, n]) => (
          <span key={status} className="rounded bg-slate-100 px-1.5 py-0.5 dark:bg-slate-800">
            {status.replace("_", " ")} <b>{n}</b>
          </span>
        ))}
      </div>
      <footer className="flex justify-end">
        <button
          type="button"
          onClick={onRemove}
          className="text-xs text-slate-500 hover:text-red-600"
        >
          Remove
        </button>
      </footer>
    </article>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-slate-500">{label}</dt>
      <dd className="truncate font-medium" data-stat={label.toLowerCase()}>
        {value}
      </dd>
    </div>
  );
}
