/**
 * The terminal's line buffer: up to MAX_LINES lines in id order, appended in place (a copy per
 * line would cost O(n) at thousands of lines a second); `version` tells React it changed.
 */

import { create } from "zustand";
import type { LogEntry } from "@/lib/api-types";

export const MAX_LINES = 100_000;
// Trim in chunks so the front is not spliced for every line once the buffer is full.
const TRIM_SLACK = 5_000;

interface LogState {
  lines: LogEntry[];
  version: number;
  sources: string[];
  hasOlder: boolean;
  reset: () => void;
  /** Newer lines; `hasOlder` says whether the server has lines before the first page. */
  append: (entries: LogEntry[], hasOlder?: boolean) => void;
  prepend: (entries: LogEntry[], hasOlder: boolean) => void;
}

function collectSources(known: string[], entries: LogEntry[]): string[] {
  let next = known;
  for (const entry of entries) {
    const source = entry.source ?? "-";
    if (!next.includes(source)) next = [...next, source].sort();
  }
  return next;
}

export const useLogStore = create<LogState>()((set, get) => ({
  lines: [],
  version: 0,
  sources: [],
  hasOlder: false,
  reset: () => set({ lines: [], version: get().version + 1, sources: [], hasOlder: false }),
  append: (entries, hasOlder = false) => {
    const { lines } = get();
    const newest = lines.length ? lines[lines.length - 1].id : 0;
    const fresh = entries.filter((entry) => entry.id > newest);
    if (fresh.length === 0) {
      if (hasOlder && !get().hasOlder) set({ hasOlder });
      return;
    }
    for (const entry of fresh) lines.push(entry);
    if (lines.length > MAX_LINES + TRIM_SLACK) lines.splice(0, lines.length - MAX_LINES);
    set((state) => ({
      version: state.version + 1,
      sources: collectSources(state.sources, fresh),
      hasOlder: state.hasOlder || hasOlder || lines.length >= MAX_LINES,
    }));
  },
  prepend: (entries, hasOlder) => {
    const { lines } = get();
    const oldest = lines.length ? lines[0].id : Number.POSITIVE_INFINITY;
    const older = entries.filter((entry) => entry.id < oldest);
    const room = Math.max(0, MAX_LINES - lines.length);
    const kept = older.slice(Math.max(0, older.length - room));
    lines.unshift(...kept);
    set((state) => ({
      version: state.version + 1,
      sources: collectSources(state.sources, kept),
      hasOlder: hasOlder || kept.length < older.length,
    }));
  },
}));

const RANK: Record<string, number> = { debug: 10, info: 20, step: 25, warn: 30, error: 40 };

export interface LogFilter {
  level: string;
  source: string;
}

export function visibleLines(lines: LogEntry[], filter: LogFilter): LogEntry[] {
  if (!filter.level && !filter.source) return lines;
  const floor = RANK[filter.level] ?? 0;
  return lines.filter(
    (line) =>
      (RANK[line.level] ?? 20) >= floor &&
      (!filter.source || (line.source ?? "-") === filter.source),
  );
}

/** Indexes of lines whose message contains `query` (case-insensitive). */
export function searchLines(lines: LogEntry[], query: string): number[] {
  if (!query) return [];
  const needle = query.toLowerCase();
  const hits: number[] = [];
  for (let i = 0; i < lines.length; i++)
    if (lines[i].message.toLowerCase().includes(needle)) hits.push(i);
  return hits;
}
