import { Link } from "react-router-dom";
import { formatAge, formatCost, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { ProjectOverview } from "@/lib/api-types";
import { runState } from "../run-state";

export function ProjectCard({ card, onRemove }: { card: ProjectOverview; onRemove: () => void }) {
  const { project, session, task_counts: counts } = card;
  const state = runState(card);
  const spent = session?.cost_usd ?? null;
  const used = session ? (session.input_tokens ?? 0) + (session.output_tokens ?? 0) : null;
  const { totals } = card;
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
      {session?.summary && (
        <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="run-summary">
          {session.summary}
        </p>
      )}
      <dl className="grid grid-cols-3 gap-2 text-xs">
        <Stat label="Phase" value={session?.phase ?? "—"} />
        <Stat label="Iteration" value={session ? String(session.iteration) : "—"} />
        <Stat label="Agents" value={String(card.active_agents)} />
        <Stat label="Tokens" value={used ? formatTokens(used) : "—"} />
        <Stat label="Cost" value={spent !== null ? formatCost(spent) : "—"} />
        <Stat label="Active" value={formatAge(card.last_activity_at)} />
        <Stat label="Runs" value={String(totals?.runs ?? 0)} />
        <Stat
          label="All runs"
          value={totals?.runs ? formatCost(totals.cost_usd) : "—"}
          title="Cost of every run of this project"
        />
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

function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div title={title}>
      <dt className="text-slate-500">{label}</dt>
      <dd className="truncate font-medium" data-stat={label.toLowerCase()}>
        {value}
      </dd>
    </div>
  );
}
