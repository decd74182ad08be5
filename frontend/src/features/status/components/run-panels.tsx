/** Quality gates, council and checklist as the run's files hold them (protocol reference §7). */

import { asList, asRecord, KeyValues, Panel } from "./panel";

const STATUS_TONE: Record<string, string> = {
  verified: "text-green-700 dark:text-green-400",
  passed: "text-green-700 dark:text-green-400",
  failing: "text-red-600",
  failed: "text-red-600",
  pending: "text-slate-500",
};

export function QualityPanel({ quality }: { quality: Record<string, unknown> }) {
  const passed = Array.isArray(quality.passed) ? quality.passed.map(String) : [];
  const failures = Array.isArray(quality.failures) ? quality.failures.map(String) : [];
  const tests = asRecord(quality.tests);
  const empty = passed.length === 0 && failures.length === 0 && Object.keys(tests).length === 0;
  return (
    <Panel title="Quality gates">
      {empty ? (
        <p className="text-sm text-slate-500">No gate results yet.</p>
      ) : (
        <div className="space-y-2 text-sm">
          {passed.length > 0 && (
            <p>
              Passed:{" "}
              {passed.map((gate) => (
                <span key={gate} className="mr-1 rounded bg-green-100 px-1 text-green-800">
                  {gate}
                </span>
              ))}
            </p>
          )}
          {failures.length > 0 && (
            <ul className="text-red-600" aria-label="Gate failures">
              {failures.map((failure) => (
                <li key={failure}>{failure}</li>
              ))}
            </ul>
          )}
          {Object.keys(tests).length > 0 && (
            <div>
              <h4 className="text-xs font-semibold text-slate-500">Test results</h4>
              <KeyValues value={tests} label="Test results" />
              <KeyValues value={asRecord(tests.summary)} label="Test summary" />
            </div>
          )}
        </div>
      )}
    </Panel>
  );
}

export function CouncilPanel({ council }: { council: Record<string, unknown> }) {
  // Newest first; the council keeps every verdict, the screen shows the last ten.
  const verdicts = asList(council.verdicts).slice(-10).reverse();
  return (
    <Panel title="Council">
      <KeyValues value={council} empty="No council votes." label="Council totals" />
      {verdicts.length > 0 && (
        <table className="w-full text-xs" aria-label="Council verdicts">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="font-normal">Iteration</th>
              <th className="font-normal">Approve</th>
              <th className="font-normal">Reject</th>
              <th className="font-normal">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {verdicts.map((verdict, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed slice, never reordered
              <tr key={i}>
                <td>{String(verdict.iteration ?? "—")}</td>
                <td>{String(verdict.approve ?? "—")}</td>
                <td>{String(verdict.reject ?? "—")}</td>
                <td
                  className={verdict.result === "APPROVED" ? "text-green-700" : "text-red-600"}
                  data-verdict
                >
                  {String(verdict.result ?? "—")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

export function ChecklistPanel({ checklist }: { checklist: Record<string, unknown> }) {
  const summary = asRecord(checklist.summary);
  // Categories have no id; their place in the file is theirs.
  const categories = asList(checklist.categories).map((c, place) => ({ ...c, key: place }));
  const total = Number(summary.total) || 0;
  const verified = Number(summary.verified) || 0;
  return (
    <Panel title="Checklist">
      {Object.keys(summary).length === 0 && categories.length === 0 ? (
        <p className="text-sm text-slate-500">No checklist results.</p>
      ) : (
        <div className="space-y-2 text-sm">
          {total > 0 && (
            <div
              role="meter"
              aria-label="Checklist verified"
              aria-valuemin={0}
              aria-valuemax={total}
              aria-valuenow={verified}
              className="h-2 rounded bg-slate-100 dark:bg-slate-800"
            >
              <div
                className="h-2 rounded bg-emerald-500"
                style={{ width: `${(verified / total) * 100}%` }}
              />
            </div>
          )}
          <KeyValues value={summary} label="Checklist summary" />
          {categories.map((category) => (
            <ChecklistCategory key={category.key} category={category} />
          ))}
        </div>
      )}
    </Panel>
  );
}

function ChecklistCategory({ category }: { category: Record<string, unknown> }) {
  const items = asList(category.items);
  const done = items.filter((item) => item.status === "verified").length;
  return (
    <details className="rounded border border-slate-200 p-1 dark:border-slate-700">
      <summary className="cursor-pointer text-xs font-medium">
        {String(category.name ?? "category")} · {done}/{items.length} verified
      </summary>
      <ul className="mt-1 space-y-0.5 text-xs">
        {items.map((item, j) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items come in file order
          <li key={j} className="flex justify-between gap-2">
            <span className="truncate">{String(item.title ?? item.id ?? "item")}</span>
            <span className={STATUS_TONE[String(item.status)] ?? ""}>
              {String(item.status ?? "—")}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
