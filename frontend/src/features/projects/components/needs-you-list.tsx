import { Link } from "react-router-dom";
import type { NeedsYou } from "../run-state";

export function NeedsYouList({ items }: { items: NeedsYou[] }) {
  return (
    <section
      aria-labelledby="needs-you"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-700 dark:bg-amber-950/40"
    >
      <h2 id="needs-you" className="mb-2 font-semibold">
        Needs you <span className="text-sm font-normal text-slate-500">({items.length})</span>
      </h2>
      {items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">Nothing is waiting for you.</p>
      ) : (
        <ul className="space-y-1 text-sm" data-testid="needs-you">
          {items.map((item) => (
            <li key={`${item.projectId}-${item.reason}`}>
              <Link
                to={`/projects/${item.projectId}${item.reason === "tasks in review" ? "" : "/system"}`}
                className="font-medium hover:underline"
              >
                {item.projectName}
              </Link>{" "}
              — <span data-reason={item.reason}>{item.reason}</span>{" "}
              <span className="text-slate-500">({item.detail})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
