import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { formatWhen } from "@/components/ui/format";
import type { LogEntry } from "@/lib/api-types";
import { toast } from "@/lib/toast";
import { downloadLog } from "../api/logs";
import { useLogFeed } from "../hooks/use-log-feed";
import { parseAnsi } from "../lib/ansi";
import { type LogFilter, searchLines, useLogStore, visibleLines } from "../stores/log-store";

const ROW = 18;
const LEVEL_COLOR: Record<string, string> = {
  error: "text-red-400",
  warn: "text-amber-300",
  step: "text-cyan-300",
  debug: "text-slate-500",
  info: "text-slate-300",
};
const control = "rounded-md border border-slate-600 bg-slate-800 px-2 py-1 text-sm text-slate-100";

const LogRow = memo(function LogRow({ line, hit }: { line: LogEntry; hit: boolean }) {
  const segments = parseAnsi(line.raw ?? line.message);
  return (
    <div
      className={`flex gap-2 whitespace-pre px-2 ${hit ? "bg-yellow-700/40" : ""}`}
      style={{ height: ROW, lineHeight: `${ROW}px` }}
      data-log-id={line.id}
    >
      <span className="shrink-0 text-slate-500">{formatWhen(line.timestamp)}</span>
      <span className={`w-10 shrink-0 uppercase ${LEVEL_COLOR[line.level] ?? ""}`}>
        {line.level}
      </span>
      <span className="w-24 shrink-0 truncate text-slate-500">{line.source ?? "-"}</span>
      <span className="text-slate-100">
        {segments.map((segment, i) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: segments of one line never reorder
            key={i}
            style={{ color: segment.color, fontWeight: segment.bold ? 700 : undefined }}
          >
            {segment.text}
          </span>
        ))}
      </span>
    </div>
  );
});

/** `runEnded`: when the project's newest run ended (null while it runs, or with no run): the
 * stream stays open for the next run, but this one's log is over and must not read as live. */
export function LogView({
  projectId,
  runEnded = null,
}: {
  projectId: string;
  runEnded?: string | null;
}) {
  const { state, loadOlder } = useLogFeed(projectId);
  const version = useLogStore((s) => s.version);
  const sources = useLogStore((s) => s.sources);
  const hasOlder = useLogStore((s) => s.hasOlder);
  const [filter, setFilter] = useState<LogFilter>({ level: "", source: "" });
  const [query, setQuery] = useState("");
  const [hitIndex, setHitIndex] = useState(0);
  const [follow, setFollow] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the buffer changes in place; version says when
  const lines = useMemo(
    () => visibleLines(useLogStore.getState().lines, filter),
    [version, filter],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: as above
  const hits = useMemo(() => searchLines(lines, query), [lines, query, version]);
  const hitSet = useMemo(
    () => new Set(hits.length ? [hits[Math.min(hitIndex, hits.length - 1)]] : []),
    [hits, hitIndex],
  );

  const itemKey = useCallback((index: number) => lines[index]?.id ?? index, [lines]);
  const virtual = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    // Keyed by line id: rows still on screen after a scroll keep their DOM and only move.
    getItemKey: itemKey,
    overscan: 10,
  });

  // Follow the tail: after the new rows are laid out, stick to the bottom. (`lines` may be the
  // store's own array, changed in place: `version` says when it grew.)
  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks in-place growth
  useEffect(() => {
    if (!follow || lines.length === 0) return;
    const stick = () => {
      const el = scroller.current;
      if (el) el.scrollTop = el.scrollHeight;
    };
    stick();
    const frame = requestAnimationFrame(stick);
    return () => cancelAnimationFrame(frame);
  }, [follow, lines, version]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    // Moving up away from the bottom is the user's doing, whatever moved it (wheel, keys,
    // touch or the scrollbar): following only ever moves down, and a buffer that drops its
    // front keeps the view at the bottom. Reaching the bottom turns following back on.
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW * 2;
    const movedUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    if (movedUp && !atBottom && follow) setFollow(false);
    else if (atBottom && !follow) setFollow(true);
    if (el.scrollTop < ROW * 5 && hasOlder) {
      const height = el.scrollHeight;
      void loadOlder().then((added) => {
        if (added && scroller.current)
          scroller.current.scrollTop += scroller.current.scrollHeight - height;
      });
    }
  };

  const goTo = (next: number) => {
    if (hits.length === 0) return;
    const index = (next + hits.length) % hits.length;
    setHitIndex(index);
    setFollow(false);
    virtual.scrollToIndex(hits[index], { align: "center" });
  };

  return (
    <div className="flex h-[calc(100vh-13rem)] min-h-80 flex-col rounded-lg bg-slate-950 text-slate-100">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-800 p-2">
        <select
          aria-label="Minimum level"
          value={filter.level}
          onChange={(e) => setFilter({ ...filter, level: e.target.value })}
          className={control}
        >
          <option value="">all levels</option>
          <option value="info">info+</option>
          <option value="step">step+</option>
          <option value="warn">warn+</option>
          <option value="error">error</option>
        </select>
        <select
          aria-label="Log source"
          value={filter.source}
          onChange={(e) => setFilter({ ...filter, source: e.target.value })}
          className={control}
        >
          <option value="">all sources</option>
          {sources.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <input
          type="search"
          aria-label="Search the log"
          placeholder="Search"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setHitIndex(0);
          }}
          onKeyDown={(e) => e.key === "Enter" && goTo(hitIndex + (e.shiftKey ? -1 : 1))}
          className={`${control} w-44`}
        />
        <span className="text-xs text-slate-400" data-testid="search-hits">
          {query
            ? `${hits.length ? Math.min(hitIndex, hits.length - 1) + 1 : 0} / ${hits.length}`
            : ""}
        </span>
        <Button
          variant="ghost"
          className="text-slate-200"
          aria-label="Previous match"
          onClick={() => goTo(hitIndex - 1)}
        >
          ↑
        </Button>
        <Button
          variant="ghost"
          className="text-slate-200"
          aria-label="Next match"
          onClick={() => goTo(hitIndex + 1)}
        >
          ↓
        </Button>
        <span className="ml-auto text-xs text-slate-400" data-testid="log-state">
          {lines.length.toLocaleString()} lines ·{" "}
          {state === "live" && runEnded ? `run ended ${formatWhen(runEnded)}` : state}
        </span>
        <Button
          variant="ghost"
          className="text-slate-200"
          onClick={() => downloadLog(projectId, filter).catch((e) => toast.error(String(e)))}
        >
          Download
        </Button>
      </div>
      <div
        ref={scroller}
        onScroll={onScroll}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls by keyboard too
        tabIndex={0}
        className="font-terminal relative flex-1 overflow-auto text-xs"
        data-testid="log-lines"
        role="log"
        aria-live="off"
      >
        <div style={{ height: virtual.getTotalSize(), position: "relative", minWidth: "100%" }}>
          {virtual.getVirtualItems().map((item) => (
            <div
              key={item.key}
              style={{
                position: "absolute",
                top: 0,
                left: 0,
                height: ROW,
                // Each row lays out on its own: a new row never makes the others lay out again.
                contain: "layout style",
                transform: `translateY(${item.start}px)`,
              }}
            >
              <LogRow line={lines[item.index]} hit={hitSet.has(item.index)} />
            </div>
          ))}
        </div>
      </div>
      {!follow && (
        <div className="flex justify-center border-t border-slate-800 p-1">
          <Button variant="primary" onClick={() => setFollow(true)}>
            Jump to live
          </Button>
        </div>
      )}
    </div>
  );
}
