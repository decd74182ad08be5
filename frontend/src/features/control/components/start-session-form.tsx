import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { FIELD_CONTROL, Field } from "@/components/ui/form";
import { prdFilesQuery } from "../api/control";

/** The project's own PRD among its Markdown files (the server ranks PRD-named ones first). */
export function likelyPrd(candidates: string[]): string | undefined {
  const first = candidates[0];
  return first && /prd/i.test(first) ? first : undefined;
}

/**
 * Start a run. The PRD field is filled with the project's PRD when it has one; left empty, the
 * runner starts in perpetual mode, which the user must read about and choose explicitly.
 */
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
  const [edited, setEdited] = useState(false);
  const [perpetual, setPerpetual] = useState(false);
  const [provider, setProvider] = useState("");
  const listId = useId();
  const noteId = useId();
  // Suggestions: any file of the project can still be typed.
  const { data: candidates = [], isSuccess } = useQuery(prdFilesQuery(projectId));
  const suggested = likelyPrd(candidates);
  useEffect(() => {
    if (!edited && suggested) setPrd(suggested);
  }, [edited, suggested]);
  const withoutPrd = prd.trim() === "";
  const blocked = pending || (withoutPrd && !perpetual);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (blocked) return;
        onStart({ prd_path: prd.trim() || undefined, provider: provider || undefined });
      }}
      className="space-y-3"
    >
      <Field label="PRD file (relative to the project)">
        <input
          value={prd}
          onChange={(e) => {
            setEdited(true);
            setPrd(e.target.value);
          }}
          placeholder="docs/PRD.md"
          list={listId}
          aria-describedby={withoutPrd ? noteId : undefined}
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
          : isSuccess
            ? "No Markdown files found in the project."
            : "Looking for the project's Markdown files…"}
      </p>
      {withoutPrd && (
        <div
          id={noteId}
          role="note"
          aria-label="Perpetual mode"
          className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950"
        >
          <p>
            <strong>No PRD: the run starts in perpetual mode.</strong> It has no spec to finish, so
            it keeps inventing work (tests, refactors, features) until you stop it or it reaches its
            iteration limit. It ignores Pause: the runner deletes the PAUSE file and carries on.
            Only Stop ends it.
          </p>
          <label className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={perpetual}
              onChange={(e) => setPerpetual(e.target.checked)}
            />
            Start without a PRD, in perpetual mode
          </label>
        </div>
      )}
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
        <Button type="submit" variant="primary" disabled={blocked}>
          {withoutPrd ? "Start in perpetual mode" : "Start"}
        </Button>
      </div>
    </form>
  );
}
