import { useQuery } from "@tanstack/react-query";
import { formatAge, formatCost, formatTokens } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import { Cell, Row, Table } from "@/components/ui/table";
import type { Agent } from "@/lib/api-types";
import { agentsQuery } from "../api/agents";

const ACTIVE = new Set(["pending", "running", "active"]);

export function AgentGrid({ projectId }: { projectId: string }) {
  const { data, isLoading, error } = useQuery(agentsQuery(projectId));
  if (error)
    return (
      <p role="alert" className="text-red-600">
        {(error as Error).message}
      </p>
    );
  if (isLoading) return <p className="text-slate-500">Loading agents…</p>;
  const agents = data?.items ?? [];
  const active = agents.filter((agent) => ACTIVE.has(agent.status));
  const history = agents.filter((agent) => !ACTIVE.has(agent.status));
  return (
    <div className="space-y-6">
      <section aria-labelledby="active-agents">
        <h2 id="active-agents" className="mb-2 font-semibold">
          Working now <span className="text-sm font-normal text-slate-500">({active.length})</span>
        </h2>
        {active.length === 0 ? (
          <p className="text-sm text-slate-500">No agent is working.</p>
        ) : (
          <div
            className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3"
            data-testid="active-agents"
          >
            {active.map((agent) => (
              <AgentCard key={agent.id} agent={agent} />
            ))}
          </div>
        )}
      </section>
      <section aria-labelledby="agent-history">
        <h2 id="agent-history" className="mb-2 font-semibold">
          History
        </h2>
        <Table
          headings={["Agent", "Type", "Model", "Status", "Tools", "Tokens", "Cost", "Started"]}
        >
          {history.map((agent) => (
            <Row key={agent.id}>
              <Cell>{agent.name}</Cell>
              <Cell>{agent.type ?? "—"}</Cell>
              <Cell>{agent.model ?? "—"}</Cell>
              <Cell>
                <StatusBadge status={agent.status} />
              </Cell>
              <Cell>{agent.tool_count}</Cell>
              <Cell>{formatTokens(agent.tokens_used)}</Cell>
              <Cell>{formatCost(agent.cost)}</Cell>
              <Cell>{formatAge(agent.started_at)}</Cell>
            </Row>
          ))}
        </Table>
      </section>
    </div>
  );
}

function AgentCard({ agent }: { agent: Agent }) {
  return (
    <article
      data-testid="agent-card"
      className="rounded-lg border border-slate-200 bg-white p-3 text-sm dark:border-slate-700 dark:bg-slate-900"
    >
      <header className="flex items-center justify-between gap-2">
        <span className="truncate font-medium">{agent.name}</span>
        <StatusBadge status={agent.status} />
      </header>
      <p
        className="mt-1 truncate text-slate-600 dark:text-slate-300"
        title={agent.current_task ?? ""}
      >
        {agent.current_task ?? "no current task"}
      </p>
      <dl className="mt-2 grid grid-cols-3 gap-1 text-xs">
        <div>
          <dt className="text-slate-500">Type</dt>
          <dd>{agent.type ?? "—"}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Model</dt>
          <dd>{agent.model ?? "—"}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Tools</dt>
          <dd>{agent.tool_count}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Tokens</dt>
          <dd>{formatTokens(agent.tokens_used)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Cost</dt>
          <dd>{formatCost(agent.cost)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Age</dt>
          <dd>{formatAge(agent.started_at)}</dd>
        </div>
      </dl>
    </article>
  );
}
