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
  // The column itself is a drop target only when empty; otherwise its cards are (keyboard
  // moves would otherwise land on the column, i.e. at its end).
  const { setNodeRef, isOver } = useDroppable({
    id: `column:${status}`,
    data: { status },
    disabled: tasks.length > 0,
  });
  return (
    <section
      aria-label={`${title} column`}
      data-column={status}
      className={`flex max-h-[calc(100vh-14rem)] min-h-40 w-72 shrink-0 flex-col rounded-lg bg-slate-100 dark:bg-slate-800/60 ${isOver ? "ring-2 ring-indigo-400" : ""}`}
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
          <VirtualCards columnRef={setNodeRef} tasks={tasks} onOpen={onOpen} />
        ) : (
          <div
            ref={setNodeRef}
            role="list"
            className="flex flex-1 flex-col gap-2 overflow-y-auto px-2 pb-2"
          >
            {tasks.map((task) => (
              <SortableTaskCard key={task.id} task={task} onOpen={onOpen} />
            ))}
          </div>
        )}
      </SortableContext>
    </section>
  );
}

function VirtualCards({
  columnRef,
  tasks,
  onOpen,
}: {
  columnRef: (node: HTMLElement | null) => void;
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
    <div
      ref={(node) => {
        scroller.current = node;
        columnRef(node);
      }}
      className="flex-1 overflow-y-auto px-2 pb-2"
    >
      <div role="list" style={{ height: virtual.getTotalSize(), position: "relative" }}>
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
    </div>
  );
}
