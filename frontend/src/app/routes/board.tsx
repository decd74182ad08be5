import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useParams, useSearchParams } from "react-router-dom";
import { Button } from "@/components/ui/button";
import { boardQuery } from "@/features/board/api/tasks";
import { Board } from "@/features/board/components/board";
import { BoardFilters } from "@/features/board/components/board-filters";
import { TaskModal } from "@/features/board/components/task-modal";
import type { Task } from "@/lib/api-types";
import { type BoardFilter, sourceLabel } from "@/lib/board-state";

export function BoardRoute() {
  const { projectId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filter: BoardFilter = {
    q: params.get("q") ?? "",
    priority: params.get("priority") ?? "",
    source: params.get("source") ?? "",
    label: params.get("label") ?? "",
  };
  const { data: tasks = [] } = useQuery(boardQuery(projectId));
  const [editing, setEditing] = useState<Task | null>(null);
  const [open, setOpen] = useState(false);
  const sources = useMemo(() => [...new Set(tasks.map(sourceLabel))].sort(), [tasks]);
  const labels = useMemo(() => [...new Set(tasks.flatMap((t) => t.labels))].sort(), [tasks]);
  useEffect(() => {
    const onNew = () => {
      setEditing(null);
      setOpen(true);
    };
    window.addEventListener("loki:new-task", onNew);
    return () => window.removeEventListener("loki:new-task", onNew);
  }, []);
  const change = (patch: Partial<BoardFilter>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <BoardFilters filter={filter} sources={sources} labels={labels} onChange={change} />
        <Button
          variant="primary"
          onClick={() => {
            setEditing(null);
            setOpen(true);
          }}
        >
          New task
        </Button>
      </div>
      <Board
        projectId={projectId}
        filter={filter}
        onOpen={(task) => {
          setEditing(task);
          setOpen(true);
        }}
      />
      <TaskModal
        projectId={projectId}
        task={editing}
        open={open}
        tasks={tasks}
        onClose={() => setOpen(false)}
      />
    </div>
  );
}
