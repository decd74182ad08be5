import { useConnectionStatus } from "@/stores/connection-store";

const LOOK = {
  connecting: { dot: "bg-slate-400", text: "connecting" },
  live: { dot: "bg-green-500", text: "live" },
  reconnecting: { dot: "bg-amber-500 animate-pulse", text: "reconnecting" },
  offline: { dot: "bg-red-500", text: "offline" },
} as const;

/** Whether what is on screen is live: stale data must never look live. */
export function ConnectionIndicator() {
  const status = useConnectionStatus();
  const look = LOOK[status];
  return (
    <span
      role="status"
      aria-live="polite"
      data-connection={status}
      className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300"
    >
      <span className={`h-2 w-2 rounded-full ${look.dot}`} />
      {look.text}
    </span>
  );
}
