import { useQuery } from "@tanstack/react-query";
import { formatCost, formatDuration, formatWhen } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { Cell, Row, Table } from "@/components/ui/table";
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
    <Table
      testId="session-history"
      headings={["Started", "Ended", "Duration", "Outcome", "Iterations", "Cost", "PRD"]}
    >
      {sessions.map((s) => (
        <Row key={s.id}>
          <Cell>{formatWhen(s.started_at)}</Cell>
          <Cell>{s.ended_at ? formatWhen(s.ended_at) : "—"}</Cell>
          <Cell>{formatDuration(s.started_at, s.ended_at)}</Cell>
          <Cell>
            <StatusBadge status={s.status} />
            {s.summary ? (
              <span className="ml-1 text-xs text-slate-500" data-testid="session-summary">
                {s.summary}
              </span>
            ) : null}
          </Cell>
          <Cell>{s.iteration}</Cell>
          <Cell>{s.cost_usd !== null ? formatCost(s.cost_usd) : "—"}</Cell>
          <Cell className="max-w-48 truncate" title={s.prd_path ?? ""}>
            {s.prd_path ?? "perpetual"}
          </Cell>
        </Row>
      ))}
    </Table>
  );
}
