import { formatCost, formatTokens, formatWhen } from "@/components/ui/format";
import { StatusBadge } from "@/components/ui/status-badge";
import type { Session } from "@/lib/api-types";
import { phaseSpans, RARV } from "../lib/phases";
import { CostChart } from "./cost-chart";
import { asRecord, Panel } from "./panel";
import { ChecklistPanel, CouncilPanel, QualityPanel } from "./run-panels";

export function SystemStatus({ session }: { session: Session }) {
  const snapshot = session.snapshot ?? {};
  const spans = phaseSpans(snapshot.phases, session.phase);
  const stage = snapshot.rarv?.stage ?? null;
  const memory = Object.entries(asRecord(snapshot.memory)).filter(
    ([, v]) => typeof v === "number",
  ) as [string, number][];
  const maxMemory = Math.max(1, ...memory.map(([, v]) => v));
  const quality = asRecord(snapshot.quality);
  const council = asRecord(snapshot.council);
  const checklist = asRecord(snapshot.checklist);
  const tokens = snapshot.tokens;
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2" data-testid="system-status">
      <Panel title="Run">
        <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-slate-500">Status</dt>
            <dd>
              <StatusBadge status={session.status} />
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Phase</dt>
            <dd data-testid="phase">{session.phase ?? "—"}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Iteration</dt>
            <dd data-testid="iteration">{session.iteration}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Liveness</dt>
            <dd>{snapshot.liveness ?? "—"}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Tokens</dt>
            <dd>{tokens ? formatTokens(tokens.input + tokens.output) : "—"}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Cost</dt>
            <dd>{tokens ? formatCost(tokens.cost_usd) : "—"}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Provider</dt>
            <dd>{session.provider}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Mode</dt>
            <dd>{String(snapshot.mode ?? "—")}</dd>
          </div>
        </dl>
      </Panel>
      <Panel title="RARV cycle">
        <ol className="flex gap-2" aria-label="RARV stages">
          {RARV.map((step) => (
            <li
              key={step}
              aria-current={stage === step ? "step" : undefined}
              className={`flex-1 rounded px-2 py-1 text-center text-xs font-medium ${stage === step ? "bg-indigo-600 text-white" : "bg-slate-100 dark:bg-slate-800"}`}
            >
              {step}
            </li>
          ))}
        </ol>
      </Panel>
      <Panel title="Phase timeline">
        {spans.length === 0 ? (
          <p className="text-sm text-slate-500">No phase recorded yet.</p>
        ) : (
          <ol className="space-y-1 text-sm" data-testid="phase-timeline">
            {spans.map((span, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a phase can recur; spans never reorder
              <li key={`${span.phase}-${i}`} className="flex justify-between gap-2">
                <span className={span.end === null ? "font-semibold" : ""}>{span.phase}</span>
                <span className="text-xs text-slate-500">
                  {span.start ? formatWhen(span.start) : ""}
                </span>
              </li>
            ))}
          </ol>
        )}
      </Panel>
      <Panel title="Memory">
        {memory.length === 0 ? (
          <p className="text-sm text-slate-500">No memory counts reported.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {memory.map(([name, count]) => (
              <li key={name}>
                <div className="flex justify-between text-xs">
                  <span>{name}</span>
                  <span>{count}</span>
                </div>
                <div className="h-2 rounded bg-slate-100 dark:bg-slate-800">
                  <div
                    className="h-2 rounded bg-emerald-500"
                    style={{ width: `${(count / maxMemory) * 100}%` }}
                  />
                </div>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <QualityPanel quality={quality} />
      <CouncilPanel council={council} />
      <ChecklistPanel checklist={checklist} />
      <div className="lg:col-span-2">
        <Panel title="Tokens and cost by iteration">
          <CostChart points={tokens?.per_iteration ?? []} />
        </Panel>
      </div>
    </div>
  );
}
