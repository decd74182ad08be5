import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { overviewQuery, useRemoveProject } from "@/features/projects/api/projects";
import { AddProjectForm } from "@/features/projects/components/add-project-form";
import { NeedsYouList } from "@/features/projects/components/needs-you-list";
import { ProjectCard } from "@/features/projects/components/project-card";
import { needsYou } from "@/features/projects/run-state";
import { useChannel } from "@/hooks/use-channel";
import { usePreferences } from "@/stores/preferences-store";

export function OverviewRoute() {
  useChannel("global");
  const { data: cards = [], isLoading, error } = useQuery(overviewQuery());
  const remove = useRemoveProject();
  const quietMinutes = usePreferences((state) => state.quietMinutes);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="space-y-5">
      <div className="flex flex-col gap-4 lg:flex-row">
        <div className="flex-1 space-y-2">
          <h1 className="text-xl font-semibold">Projects</h1>
          <AddProjectForm />
        </div>
        <div className="lg:w-96">
          <NeedsYouList items={needsYou(cards, now, quietMinutes)} />
        </div>
      </div>
      {error && (
        <p role="alert" className="text-red-600">
          {(error as Error).message}
        </p>
      )}
      {isLoading ? (
        <p className="text-slate-500">Loading projects…</p>
      ) : cards.length === 0 ? (
        <p className="text-slate-500">
          No projects yet: add a folder above, or start a Loki Mode run (it registers itself).
        </p>
      ) : (
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {cards.map((card) => (
            <ProjectCard
              key={card.project.id}
              card={card}
              onRemove={() => {
                if (
                  window.confirm(`Stop watching ${card.project.name}? Its files are not touched.`)
                ) {
                  remove.mutate(card.project.id);
                }
              }}
            />
          ))}
        </div>
      )}
    </div>
  );
}
