import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { FIELD_CONTROL, Field } from "@/components/ui/form";
import { ApiError } from "@/lib/api-client";
import type { Task, TaskPriority } from "@/lib/api-types";
import { PRIORITIES } from "@/lib/board-state";
import { toast } from "@/lib/toast";
import { useCreateTask, useDeleteTask, useUpdateTask } from "../api/tasks";

/** Create a task (task = null) or edit / delete one. */
export function TaskModal({
  projectId,
  task,
  open,
  tasks,
  onClose,
}: {
  projectId: string;
  task: Task | null;
  open: boolean;
  tasks: Task[];
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={task ? "Edit task" : "New task"} onClose={onClose}>
      {open && (
        <TaskForm
          key={task?.id ?? "new"}
          projectId={projectId}
          task={task}
          tasks={tasks}
          onClose={onClose}
        />
      )}
    </Dialog>
  );
}

function TaskForm({
  projectId,
  task,
  tasks,
  onClose,
}: {
  projectId: string;
  task: Task | null;
  tasks: Task[];
  onClose: () => void;
}) {
  const [title, setTitle] = useState(task?.title ?? "");
  const [description, setDescription] = useState(task?.description ?? "");
  const [priority, setPriority] = useState<TaskPriority>(task?.priority ?? "medium");
  const [type, setType] = useState(task?.type ?? "engineering");
  const [labels, setLabels] = useState((task?.labels ?? []).join(", "));
  const [parent, setParent] = useState(task?.parent_id ?? "");
  const create = useCreateTask(projectId);
  const update = useUpdateTask(projectId);
  const remove = useDeleteTask(projectId);
  const pending = create.isPending || update.isPending || remove.isPending;
  const failure = create.error ?? update.error ?? remove.error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) return;
    const draft = {
      title: title.trim(),
      description: description.trim() || null,
      priority,
      type: type.trim() || "engineering",
      labels: labels
        .split(",")
        .map((l) => l.trim())
        .filter(Boolean),
      parent_id: parent || null,
    };
    const done = {
      onSuccess: () => {
        toast.success(task ? "Task saved" : "Task created");
        onClose();
      },
    };
    if (task) update.mutate({ id: task.id, ...draft }, done);
    else create.mutate(draft, done);
  };

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Task">
      <Field label="Title">
        <input
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={500}
          className={FIELD_CONTROL}
          autoFocus
        />
      </Field>
      <Field label="Description">
        <textarea
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          rows={4}
          className={FIELD_CONTROL}
        />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Priority">
          <select
            value={priority}
            onChange={(e) => setPriority(e.target.value as TaskPriority)}
            className={FIELD_CONTROL}
          >
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </Field>
        <Field label="Type">
          <input
            value={type}
            onChange={(e) => setType(e.target.value)}
            maxLength={32}
            className={FIELD_CONTROL}
          />
        </Field>
      </div>
      <Field label="Labels (comma-separated)">
        <input
          value={labels}
          onChange={(e) => setLabels(e.target.value)}
          className={FIELD_CONTROL}
        />
      </Field>
      <Field label="Parent task">
        <select
          value={parent}
          onChange={(e) => setParent(e.target.value)}
          className={FIELD_CONTROL}
        >
          <option value="">none</option>
          {tasks
            .filter((t) => t.id !== task?.id)
            .slice(0, 500)
            .map((t) => (
              <option key={t.id} value={t.id}>
                {t.title.slice(0, 80)}
              </option>
            ))}
        </select>
      </Field>
      {failure && (
        <p role="alert" className="text-sm text-red-600">
          {failure instanceof ApiError ? failure.message : String(failure)}
        </p>
      )}
      <div className="flex items-center justify-between gap-2">
        {task ? (
          <Button
            variant="danger"
            disabled={pending}
            onClick={() => {
              if (window.confirm(`Delete "${task.title}"?`)) {
                remove.mutate(task.id, {
                  onSuccess: () => {
                    toast.success("Task deleted");
                    onClose();
                  },
                });
              }
            }}
          >
            Delete
          </Button>
        ) : (
          <span />
        )}
        <div className="flex gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={pending || !title.trim()}>
            {task ? "Save" : "Create"}
          </Button>
        </div>
      </div>
    </form>
  );
}
