import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { CONTROL } from "@/components/ui/form";
import { learningsQuery } from "../api/learnings";

const TYPE_STYLE: Record<string, string> = {
  patterns: "bg-sky-100 text-sky-800",
  mistakes: "bg-red-100 text-red-800",
  successes: "bg-green-100 text-green-800",
};

export function LearningsBrowser() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const type = params.get("type") ?? "";
  const { data = [], isFetching, error } = useQuery(learningsQuery(q, type));
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2" role="search">
        <input
          type="search"
          aria-label="Search learnings"
          placeholder="Search what runs learned"
          value={q}
          onChange={(e) => set("q", e.target.value)}
          className={`${CONTROL} w-72`}
        />
        <select
          aria-label="Kind"
          value={type}
          onChange={(e) => set("type", e.target.value)}
          className={CONTROL}
        >
          <option value="">all kinds</option>
          <option value="patterns">patterns</option>
          <option value="mistakes">mistakes</option>
          <option value="successes">successes</option>
        </select>
        {isFetching && <span className="text-xs text-slate-500">searching…</span>}
      </div>
      {error && (
        <p role="alert" className="text-red-600">
          {(error as Error).message}
        </p>
      )}
      {data.length === 0 ? (
        <p className="text-slate-500">{q ? "Nothing matches." : "No learnings recorded yet."}</p>
      ) : (
        <ul className="space-y-2" data-testid="learnings">
          {data.map((l) => (
            <li
              key={l.id}
              className="rounded-lg border border-slate-200 bg-white p-3 text-sm dark:border-slate-700 dark:bg-slate-900"
            >
              <div className="mb-1 flex gap-2 text-xs">
                <span className={`rounded px-1 ${TYPE_STYLE[l.type] ?? ""}`}>{l.type}</span>
                {l.category && <span className="text-slate-500">{l.category}</span>}
                <span className="ml-auto text-slate-500">
                  {new Date(l.created_at).toLocaleDateString()}
                </span>
              </div>
              <p className="whitespace-pre-wrap">{l.description}</p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
