/** A plain data table: headings once, rows from the caller. */

import type { ReactNode } from "react";

export function Table({
  headings,
  children,
  testId,
}: {
  headings: string[];
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid={testId}>
        <thead className="text-xs text-slate-500">
          <tr>
            {headings.map((heading, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: headings may be blank and never move
              <th key={i} className="p-1">
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Row({ children }: { children: ReactNode }) {
  return <tr className="border-t border-slate-200 dark:border-slate-700">{children}</tr>;
}

export function Cell({
  children,
  className = "",
  title,
}: {
  children: ReactNode;
  className?: string;
  title?: string;
}) {
  return (
    <td className={`p-1 ${className}`} title={title}>
      {children}
    </td>
  );
}
