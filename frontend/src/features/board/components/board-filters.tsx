import { CONTROL, FilterSelect } from "@/components/ui/form";
import { type BoardFilter, PRIORITIES } from "@/lib/board-state";

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
        className={`${CONTROL} w-56`}
      />
      <FilterSelect
        label="Priority"
        any="any priority"
        value={filter.priority}
        options={PRIORITIES}
        onChange={(priority) => onChange({ priority })}
      />
      <FilterSelect
        label="Source"
        any="any source"
        value={filter.source}
        options={sources}
        onChange={(source) => onChange({ source })}
      />
      <FilterSelect
        label="Label"
        any="any label"
        value={filter.label}
        options={labels}
        onChange={(label) => onChange({ label })}
      />
    </div>
  );
}
