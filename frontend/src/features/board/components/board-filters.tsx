import type { BoardFilter } from "@/lib/board-state";

const input =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800";

export function BoardFilters({
  filter,
  sources,
  labels,
  onChange,
}: {
  filter: BoardFilter;
  sources: string[];
  labels: string[];
  onChange: (patch: Partial<BoardFilter>) => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2" role="search">
      <input
        id="board-search"
        type="search"
        aria-label="Search tasks"
        placeholder="Search tasks  ( / )"
        value={filter.q}
        onChange={(e) => onChange({ q: e.target.value })}
        className={`${input} w-56`}
      />
      <select
        aria-label="Priority"
        value={filter.priority}
        onChange={(e) => onChange({ priority: e.target.value })}
        className={input}
      >
        <option value="">any priority</option>
        {["critical", "high", "medium", "low"].map((p) => (
          <option key={p}>{p}</option>
        ))}
      </select>
      <select
        aria-label="Source"
        value={filter.source}
        onChange={(e) => onChange({ source: e.target.value })}
        className={input}
      >
        <option value="">any source</option>
        {sources.map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
      <select
        aria-label="Label"
        value={filter.label}
        onChange={(e) => onChange({ label: e.target.value })}
        className={input}
      >
        <option value="">any label</option>
        {labels.map((l) => (
          <option key={l}>{l}</option>
        ))}
      </select>
    </div>
  );
}
