import { useState } from "react";
import { Button } from "@/components/ui/button";

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
      <label className="block text-sm">
        PRD file (relative to the project, or absolute; empty for perpetual mode)
        <input
          value={prd}
          onChange={(e) => setPrd(e.target.value)}
          placeholder="docs/PRD.md"
          className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-800"
        />
      </label>
      <label className="block text-sm">
        Provider
        <select
          value={provider}
          onChange={(e) => setProvider(e.target.value)}
          className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-800"
        >
          <option value="">the project's default</option>
          <option value="claude">claude</option>
          <option value="codex">codex</option>
          <option value="gemini">gemini</option>
        </select>
      </label>
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={pending}>
          Start
        </Button>
      </div>
    </form>
  );
}
