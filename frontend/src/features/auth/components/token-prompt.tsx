import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { FIELD_CONTROL } from "@/components/ui/form";
import { useTokenStore } from "@/stores/token-store";

/** Shown when the server answers 401: this browser is not the local user's, so it needs a token. */
export function TokenPrompt() {
  const needsToken = useTokenStore((s) => s.needsToken);
  const setToken = useTokenStore((s) => s.setToken);
  const [value, setValue] = useState("");
  return (
    <Dialog open={needsToken} title="Sign in with a token" onClose={() => undefined}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) setToken(value.trim());
        }}
        className="space-y-3"
      >
        <p className="text-sm">
          This dashboard needs an API token from this browser. Create one on the dashboard's machine
          with{" "}
          <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">
            loki dashboard token generate
          </code>
          .
        </p>
        <input
          type="password"
          aria-label="API token"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="loki_…"
          className={FIELD_CONTROL}
        />
        <div className="flex justify-end">
          <Button type="submit" variant="primary" disabled={!value.trim()}>
            Use token
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
