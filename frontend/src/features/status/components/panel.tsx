import type { ReactNode } from "react";

export function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section
      className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900"
      aria-label={title}
    >
      <h3 className="mb-2 text-sm font-semibold">{title}</h3>
      {children}
    </section>
  );
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asList(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(asRecord) : [];
}

/** The plain values of an object (numbers, strings, booleans), as a small definition list. */
export function KeyValues({
  value,
  empty,
  label,
}: {
  value: Record<string, unknown>;
  empty?: string;
  label?: string;
}) {
  const entries = Object.entries(value)
    .filter(([, v]) => v === null || typeof v !== "object")
    .slice(0, 12);
  if (entries.length === 0) return empty ? <p className="text-sm text-slate-500">{empty}</p> : null;
  return (
    <dl className="mb-2 grid grid-cols-2 gap-1 text-xs" aria-label={label}>
      {entries.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{k.replaceAll("_", " ")}</dt>
          <dd>{String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
