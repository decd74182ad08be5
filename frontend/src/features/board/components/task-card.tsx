import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { memo } from "react";
import type { Task } from "@/lib/api-types";
import { sourceLabel } from "@/lib/board-state";

const PRIORITY: Record<string, string> = {
  critical: "border-l-red-600",
  high: "border-l-orange-500",
  medium: "border-l-sky-500",
  low: "border-l-slate-300",
};

export const TaskCardBody = memo(function TaskCardBody({ task }: { task: Task }) {
  return (
    <>
      <p className="line-clamp-2 text-sm font-medium">{task.title}</p>
      <div className="mt-1 flex flex-wrap items-center gap-1 text-[11px] text-slate-500">
        <span data-source={task.source} className="rounded bg-slate-100 px-1 dark:bg-slate-800">
          {sourceLabel(task)}
        </span>
        <span>{task.priority}</span>
        {task.type !== "engineering" && <span>· {task.type}</span>}
        {task.labels.slice(0, 3).map((label) => (
          <span
            key={label}
            className="rounded bg-indigo-50 px-1 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
          >
            {label}
          </span>
        ))}
        {task.agent_type && <span>· {task.agent_type}</span>}
      </div>
    </>
  );
});

export function SortableTaskCard({ task, onOpen }: { task: Task; onOpen: (task: Task) => void }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: task.id,
    data: { status: task.status },
  });
  const { onKeyDown: dragKeyDown, ...dragListeners } = listeners ?? {};
  return (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: dnd-kit's attributes make it a focusable button
    <div
      ref={setNodeRef}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-testid="task-card"
      data-task-id={task.id}
      data-title={task.title}
      className={`cursor-grab touch-manipulation rounded-md border border-l-4 border-slate-200 bg-white p-2 shadow-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:border-slate-700 dark:bg-slate-900 ${PRIORITY[task.priority] ?? ""} ${isDragging ? "opacity-40" : ""}`}
      onDoubleClick={() => onOpen(task)}
      {...attributes}
      {...dragListeners}
      onKeyDown={(e) => {
        // One handler for both: spreading dnd-kit's listeners after ours replaced ours.
        if (e.key === "e" && !isDragging) onOpen(task);
        else dragKeyDown?.(e);
      }}
      aria-label={`${task.title}, ${task.priority} priority, ${task.status.replace("_", " ")}. Press space to pick up, e to edit.`}
    >
      <TaskCardBody task={task} />
    </div>
  );
}
