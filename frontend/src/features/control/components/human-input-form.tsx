import { useState } from "react";
import { Button } from "@/components/ui/button";
import { FIELD_CONTROL, Field } from "@/components/ui/form";

const MAX_BYTES = 1024 * 1024;

export function HumanInputForm({
  acceptsInput,
  pending,
  onSend,
  onCancel,
}: {
  acceptsInput: boolean;
  pending: boolean;
  onSend: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState("");
  const bytes = new TextEncoder().encode(text).length;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() && bytes <= MAX_BYTES) onSend(text);
      }}
      className="space-y-3"
    >
      {!acceptsInput && (
        <p role="note" className="rounded bg-amber-100 p-2 text-sm text-amber-900">
          This run does not accept human input: it was not started with LOKI_PROMPT_INJECTION=true,
          so it sets what you send aside unread. Stop it and start it from the dashboard to steer
          it.
        </p>
      )}
      <Field label="Message for the agent's next prompt (Markdown)">
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={6}
          className={`${FIELD_CONTROL} font-terminal`}
        />
      </Field>
      {bytes > MAX_BYTES && <p className="text-xs text-red-600">At most 1 MiB.</p>}
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button
          type="submit"
          variant="primary"
          disabled={pending || !text.trim() || bytes > MAX_BYTES}
        >
          Send
        </Button>
      </div>
    </form>
  );
}
