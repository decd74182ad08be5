/** The run's phase timeline, from the phase changes its events recorded (the server keeps them
 * on the session, so the timeline needs no read of its own however long the run). */

export interface PhaseSpan {
  phase: string;
  start: string | null;
  end: string | null;
}

export function phaseSpans(
  changes: { phase: string; at: string | null }[] | undefined,
  current: string | null,
): PhaseSpan[] {
  const spans: PhaseSpan[] = [];
  for (const change of changes ?? []) {
    const last = spans.at(-1);
    if (last) last.end = change.at;
    spans.push({ phase: change.phase.toUpperCase(), start: change.at, end: null });
  }
  if (spans.length === 0 && current) spans.push({ phase: current, start: null, end: null });
  return spans;
}

export const RARV = ["REASON", "ACT", "REFLECT", "VERIFY"] as const;
