import { LearningsBrowser } from "@/features/learnings/components/learnings-browser";

export function LearningsRoute() {
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">Learnings across projects</h1>
      <LearningsBrowser />
    </div>
  );
}
