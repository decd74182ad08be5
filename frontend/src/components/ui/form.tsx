/** The look of every text box and drop-down, and a labelled field around one. */

import type { ReactNode } from "react";

const BOX =
  "rounded-md border border-slate-300 bg-white px-2 text-sm dark:border-slate-600 dark:bg-slate-800";
/** A compact control (toolbars, filters). */
export const CONTROL = `${BOX} py-1`;
/** A full-width control inside a form. */
export const FIELD_CONTROL = `${BOX} mt-1 w-full py-1.5`;

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label className="block text-sm">
      {label}
      {children}
    </label>
  );
}

/** A drop-down whose empty value means "any" (filters). */
export function FilterSelect({
  label,
  any,
  value,
  options,
  onChange,
}: {
  label: string;
  any: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  return (
    <select
      aria-label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      className={CONTROL}
    >
      <option value="">{any}</option>
      {options.map((option) => (
        <option key={option}>{option}</option>
      ))}
    </select>
  );
}
