import {
  type Announcements,
  closestCorners,
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { Task, TaskStatus } from "@/lib/api-types";
import { type BoardFilter, COLUMNS, matchesFilter, toColumns } from "@/lib/board-state";
import { boardQuery, useMoveTask } from "../api/tasks";
import { BoardColumn } from "./board-column";
import { TaskCardBody } from "./task-card";

const COLUMN_TITLE = Object.fromEntries(COLUMNS.map((c) => [c.status, c.title])) as Record<
  TaskStatus,
  string
>;

/** Where a drop lands: over a card → that card's place; over a column's end → after its last
 * card. */
export function dropTarget(
  columns: Record<TaskStatus, Task[]>,
  overId: string,
): { status: TaskStatus; order: number } | null {
  if (overId.startsWith("column:")) {
    const status = overId.slice("column:".length) as TaskStatus;
    return { status, order: columns[status]?.length ?? 0 };
  }
  for (const { status } of COLUMNS) {
    const index = columns[status].findIndex((task) => task.id === overId);
    if (index !== -1) return { status, order: index };
  }
  return null;
}

export function Board({
  projectId,
  filter,
  onOpen,
}: {
  projectId: string;
  filter: BoardFilter;
  onOpen: (task: Task) => void;
}) {
  const { data: tasks = [], isLoading, error } = useQuery(boardQuery(projectId));
  const move = useMoveTask(projectId);
  const [dragging, setDragging] = useState<Task | null>(null);
  // Mouse and touch apart: a PointerSensor also takes touch pointers, so a finger scrolling a
  // column would start a drag at once instead of after the touch delay.
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const columns = useMemo(() => toColumns(tasks), [tasks]);
  const shown = useMemo(() => {
    const out = {} as Record<TaskStatus, Task[]>;
    for (const { status } of COLUMNS)
      out[status] = columns[status].filter((task) => matchesFilter(task, filter));
    return out;
  }, [columns, filter]);
  const byId = useMemo(() => new Map(tasks.map((task) => [task.id, task])), [tasks]);

  const describe = (id: string | number) => byId.get(String(id))?.title ?? "task";
  const place = (overId: string | number | undefined) => {
    if (overId === undefined) return "outside the board";
    const target = dropTarget(columns, String(overId));
    return target
      ? `${COLUMN_TITLE[target.status]}, position ${target.order + 1}`
      : "outside the board";
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${describe(active.id)}.`,
    onDragOver: ({ active, over }) => `${describe(active.id)} is over ${place(over?.id)}.`,
    onDragEnd: ({ active, over }) => `${describe(active.id)} was dropped in ${place(over?.id)}.`,
    onDragCancel: ({ active }) => `Moving ${describe(active.id)} was cancelled.`,
  };

  const onDragStart = (event: DragStartEvent) =>
    setDragging(byId.get(String(event.active.id)) ?? null);
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setDragging(null);
    if (!over) return;
    const task = byId.get(String(active.id));
    const target = dropTarget(columns, String(over.id));
    if (!task || !target) return;
    // The end of its own column is its last place (the column counts the card itself).
    const order =
      target.status === task.status
        ? Math.min(target.order, columns[task.status].length - 1)
        : target.order;
    if (target.status === task.status && order === task.column_order) return;
    move.mutate({ id: task.id, status: target.status, order });
  };

  if (error)
    return (
      <p role="alert" className="text-red-600">
        {(error as Error).message}
      </p>
    );
  if (isLoading) return <p className="text-slate-500">Loading the board…</p>;
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCorners}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => setDragging(null)}
      accessibility={{
        announcements,
        screenReaderInstructions: {
          draggable:
            "Press space or enter to pick up a task, arrow keys to move it, space again to drop, escape to cancel.",
        },
      }}
    >
      <div className="flex gap-3 overflow-x-auto pb-2" data-testid="board">
        {COLUMNS.map(({ status, title }) => (
          <BoardColumn
            key={status}
            status={status}
            title={title}
            tasks={shown[status]}
            total={columns[status].length}
            onOpen={onOpen}
          />
        ))}
      </div>
      <DragOverlay>
        {dragging && (
          <div className="w-68 rounded-md border border-indigo-400 bg-white p-2 shadow-lg dark:bg-slate-900">
            <TaskCardBody task={dragging} />
          </div>
        )}
      </DragOverlay>
    </DndContext>
  );
}
