const COLORS: Record<string, string> = {
  running: "bg-green-100 text-green-800 dark:bg-green-900/50 dark:text-green-300",
  starting: "bg-green-100 text-green-800 dark:bg-green-900/50 dark:text-green-300",
  active: "bg-green-100 text-green-800 dark:bg-green-900/50 dark:text-green-300",
  paused: "bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-300",
  stopping: "bg-orange-100 text-orange-800 dark:bg-orange-900/50 dark:text-orange-300",
  stopped: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  completed: "bg-blue-100 text-blue-800 dark:bg-blue-900/50 dark:text-blue-300",
  failed: "bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300",
  missing: "bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300",
  idle: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      data-status={status}
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${COLORS[status] ?? COLORS.idle}`}
    >
      {status}
    </span>
  );
}
