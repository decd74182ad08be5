import { useState } from "react";
import { Button } from "@/components/ui/button";
import { FIELD_CONTROL, Field } from "@/components/ui/form";

export function StartSessionForm({
  pending,
  onStart,
  onCancel,
}: {
  pending: boolean;
  onStart: (body: { prd_path?: string; provider?: string }) => void;
  onCancel: () => void;
}) {
  const [prd, setPrd] = useState("");
  const [provider, setProvider] = useState("");
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
          placeholder="docs/PRD.md"
          className={FIELD_CONTROL}
        />
      </Field>
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
