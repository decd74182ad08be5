/** The run's phase timeline from its phase_change events. */

export interface PhaseSpan {
  phase: string;
  start: string;
  end: string | null;
}

export function phaseSpans(
  events: { event: string; timestamp: string; data: Record<string, unknown> }[],
  current: string | null,
): PhaseSpan[] {
  const spans: PhaseSpan[] = [];
  for (const event of events) {
    if (event.event !== "phase_change" || typeof event.data.to !== "string") continue;
    const last = spans.at(-1);
    if (last) last.end = event.timestamp;
    spans.push({ phase: event.data.to.toUpperCase(), start: event.timestamp, end: null });
  }
  if (spans.length === 0 && current) spans.push({ phase: current, start: "", end: null });
  return spans;
}

export const RARV = ["REASON", "ACT", "REFLECT", "VERIFY"] as const;
