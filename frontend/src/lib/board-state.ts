/**
 * The board as the server keeps it: each column numbered 0..n-1 by `column_order`. These pure
 * functions apply a move, a live change or a deletion the way the server does, so optimistic
 * moves and live events leave the cache exactly as a reload would.
 */

import type { Task, TaskPriority, TaskStatus } from "@/lib/api-types";

export const COLUMNS: { status: TaskStatus; title: string }[] = [
  { status: "pending", title: "Pending" },
  { status: "in_progress", title: "In progress" },
  { status: "review", title: "Review" },
  { status: "completed", title: "Completed" },
  { status: "failed", title: "Failed" },
];

/** Most urgent first, as the pickers list them. */
export const PRIORITIES: TaskPriority[] = ["critical", "high", "medium", "low"];

export type Columns = Record<TaskStatus, Task[]>;

export function emptyColumns(): Columns {
  return { pending: [], in_progress: [], review: [], completed: [], failed: [] };
}

export function toColumns(tasks: readonly Task[]): Columns {
  const columns = emptyColumns();
  for (const task of tasks) (columns[task.status] ?? columns.pending).push(task);
  for (const list of Object.values(columns)) list.sort(byOrder);
  return columns;
}

function byOrder(a: Task, b: Task): number {
  return a.column_order - b.column_order || a.created_at.localeCompare(b.created_at);
}

function flatten(columns: Columns): Task[] {
  return Object.values(columns).flatMap((list) =>
    list.map((task, index) =>
      task.column_order === index ? task : { ...task, column_order: index },
    ),
  );
}

/** Put `task` (already out of every column) at `order` in its status's column. */
function place(columns: Columns, task: Task, order: number): void {
  const list = columns[task.status];
  const at = Math.max(0, Math.min(order, list.length));
  list.splice(at, 0, task);
}

function without(tasks: readonly Task[], id: string): { columns: Columns; found?: Task } {
  const found = tasks.find((task) => task.id === id);
  return { columns: toColumns(tasks.filter((task) => task.id !== id)), found };
}

/** Move a task to `status` at position `order`, renumbering both columns. */
export function applyMove(
  tasks: readonly Task[],
  id: string,
  status: TaskStatus,
  order: number,
): Task[] {
  const { columns, found } = without(tasks, id);
  if (!found) return [...tasks];
  place(columns, { ...found, status }, order);
  return flatten(columns);
}

/** A task as the server now has it (created, updated or moved): put it where it says. */
export function upsertTask(tasks: readonly Task[], task: Task): Task[] {
  const existing = tasks.find((item) => item.id === task.id);
  if (existing && existing.status === task.status && existing.column_order === task.column_order) {
    return tasks.map((item) => (item.id === task.id ? task : item));
  }
  const { columns } = without(tasks, task.id);
  place(columns, task, task.column_order);
  return flatten(columns);
}

export function removeTask(tasks: readonly Task[], id: string): Task[] {
  if (!tasks.some((task) => task.id === id)) return [...tasks];
  return flatten(without(tasks, id).columns);
}

export interface BoardFilter {
  q: string;
  priority: string;
  source: string;
  label: string;
}

export function matchesFilter(task: Task, filter: BoardFilter): boolean {
  if (filter.priority && task.priority !== filter.priority) return false;
  if (filter.source && sourceLabel(task) !== filter.source) return false;
  if (filter.label && !task.labels.includes(filter.label)) return false;
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    const hay = `${task.title} ${task.description ?? ""} ${task.external_id ?? ""}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

// Sources a run writes for its own work: the queue reader stores an entry without one as "loki".
const ITERATION_SOURCES = new Set(["loki", "runner", "iteration"]);

/** The source badge: who put the task on the board (dashboard, PRD, GitHub, iteration, …). */
export function sourceLabel(task: Pick<Task, "source" | "github_issue">): string {
  const { source } = task;
  if (task.github_issue != null || source.toLowerCase().startsWith("github")) return "GitHub";
  if (source === "dashboard") return "dashboard";
  if (source.toLowerCase().startsWith("prd")) return "PRD";
  if (ITERATION_SOURCES.has(source) || source.startsWith("iteration")) return "iteration";
  if (source.includes("todo")) return "agent";
  return source;
}
