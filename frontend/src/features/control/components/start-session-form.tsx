import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { FIELD_CONTROL, Field } from "@/components/ui/form";
import { prdFilesQuery } from "../api/control";

export function StartSessionForm({
  projectId,
  pending,
  onStart,
  onCancel,
}: {
  projectId: string;
  pending: boolean;
  onStart: (body: { prd_path?: string; provider?: string }) => void;
  onCancel: () => void;
}) {
  const [prd, setPrd] = useState("");
  const [provider, setProvider] = useState("");
  const listId = useId();
  // Suggestions only: any path (an absolute one too) can still be typed.
  const { data: candidates = [] } = useQuery(prdFilesQuery(projectId));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onStart({ prd_path: prd.trim() || undefined, provider: provider || undefined });
      }}
      className="space-y-3"
    >
      <Field label="PRD file (relative to the project, or absolute; empty for perpetual mode)">
        <input
          value={prd}
          onChange={(e) => setPrd(e.target.value)}
          placeholder={candidates[0] ?? "docs/PRD.md"}
          list={listId}
          className={FIELD_CONTROL}
        />
      </Field>
      <datalist id={listId} data-testid="prd-candidates">
        {candidates.map((path) => (
          <option key={path} value={path} />
        ))}
      </datalist>
      <p className="text-xs text-slate-500">
        {candidates.length
          ? `${candidates.length} Markdown file${candidates.length === 1 ? "" : "s"} in the project to choose from.`
          : "No Markdown files found in the project."}
      </p>
      <Field label="Provider">
        <select
          value={provider}
          onChange={(e) => setProvider(e.target.value)}
          className={FIELD_CONTROL}
        >
          <option value="">the project's default</option>
          <option value="claude">claude</option>
          <option value="codex">codex</option>
          <option value="gemini">gemini</option>
        </select>
      </Field>
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={pending}>
          Start
        </Button>
      </div>
    </form>
  );
}
