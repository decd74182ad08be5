import { useQuery } from "@tanstack/react-query";
import { formatCost, formatDuration } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { sessionsQuery } from "../api/sessions";

export function SessionHistory({ projectId }: { projectId: string }) {
  const { data, isLoading, error } = useQuery(sessionsQuery(projectId));
  if (error)
    return (
      <p role="alert" className="text-red-600">
        {(error as Error).message}
      </p>
    );
  if (isLoading) return <p className="text-slate-500">Loading sessions…</p>;
  const sessions = data?.items ?? [];
  if (sessions.length === 0)
    return <p className="text-slate-500">No runs recorded for this project yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="session-history">
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="p-1">Started</th>
            <th className="p-1">Ended</th>
            <th className="p-1">Duration</th>
            <th className="p-1">Outcome</th>
            <th className="p-1">Iterations</th>
            <th className="p-1">Cost</th>
            <th className="p-1">PRD</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} className="border-t border-slate-200 dark:border-slate-700">
              <td className="p-1">{new Date(s.started_at).toLocaleString()}</td>
              <td className="p-1">{s.ended_at ? new Date(s.ended_at).toLocaleString() : "—"}</td>
              <td className="p-1">{formatDuration(s.started_at, s.ended_at)}</td>
              <td className="p-1">
                <StatusBadge status={s.status} />
                {s.exit_code ? (
                  <span className="ml-1 text-xs text-slate-500">exit {s.exit_code}</span>
                ) : null}
              </td>
              <td className="p-1">{s.iteration}</td>
              <td className="p-1">
                {s.snapshot?.tokens ? formatCost(s.snapshot.tokens.cost_usd) : "—"}
              </td>
              <td className="max-w-48 truncate p-1" title={s.prd_path ?? ""}>
                {s.prd_path ?? "perpetual"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
