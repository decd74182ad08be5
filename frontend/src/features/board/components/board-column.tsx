import { useDroppable } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import type { Task, TaskStatus } from "@/lib/api-types";
import { SortableTaskCard } from "./task-card";

// Past this many cards a column renders only what is in view.
const VIRTUAL_AFTER = 40;
const CARD_HEIGHT = 76;

export function BoardColumn({
  status,
  title,
  tasks,
  total,
  onOpen,
}: {
  status: TaskStatus;
  title: string;
  tasks: Task[];
  total: number;
  onOpen: (task: Task) => void;
}) {
  return (
    <section
      aria-label={`${title} column`}
      data-column={status}
      className="flex max-h-[calc(100vh-14rem)] min-h-40 w-72 shrink-0 flex-col rounded-lg bg-slate-100 dark:bg-slate-800/60"
    >
      <h3 className="flex items-center justify-between px-3 py-2 text-sm font-semibold">
        {title}
        <span className="text-xs font-normal text-slate-500" data-count>
          {tasks.length === total ? total : `${tasks.length} / ${total}`}
        </span>
      </h3>
      <SortableContext
        id={status}
        items={tasks.map((task) => task.id)}
        strategy={verticalListSortingStrategy}
      >
        {tasks.length > VIRTUAL_AFTER ? (
          <VirtualCards status={status} tasks={tasks} onOpen={onOpen} />
        ) : (
          <div role="list" className="flex flex-1 flex-col gap-2 overflow-y-auto px-2 pb-2">
            {tasks.map((task) => (
              <SortableTaskCard key={task.id} task={task} onOpen={onOpen} />
            ))}
            <ColumnEnd status={status} />
          </div>
        )}
      </SortableContext>
    </section>
  );
}

/** The space after a column's last card (all of an empty column): dropping there puts the card
 * at the end. Only this space, not the whole column, so the cards stay the nearer targets for
 * drops and keyboard moves among them. */
function ColumnEnd({ status }: { status: TaskStatus }) {
  const { setNodeRef, isOver } = useDroppable({ id: `column:${status}`, data: { status } });
  return (
    <div
      ref={setNodeRef}
      data-column-end={status}
      className={`min-h-10 flex-1 rounded-md ${isOver ? "ring-2 ring-indigo-400" : ""}`}
    />
  );
}

function VirtualCards({
  status,
  tasks,
  onOpen,
}: {
  status: TaskStatus;
  tasks: Task[];
  onOpen: (task: Task) => void;
}) {
  const scroller = useRef<HTMLDivElement | null>(null);
  const virtual = useVirtualizer({
    count: tasks.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => CARD_HEIGHT,
    overscan: 6,
    getItemKey: (index) => tasks[index].id,
  });
  return (
    <div ref={scroller} className="flex flex-1 flex-col overflow-y-auto px-2 pb-2">
      <div
        role="list"
        className="shrink-0"
        style={{ height: virtual.getTotalSize(), position: "relative" }}
      >
        {virtual.getVirtualItems().map((item) => (
          <div
            key={item.key}
            data-index={item.index}
            ref={virtual.measureElement}
            style={{
              position: "absolute",
              top: 0,
              left: 0,
              right: 0,
              transform: `translateY(${item.start}px)`,
              paddingBottom: 8,
            }}
          >
            <SortableTaskCard task={tasks[item.index]} onOpen={onOpen} />
          </div>
        ))}
      </div>
      <ColumnEnd status={status} />
    </div>
  );
}
