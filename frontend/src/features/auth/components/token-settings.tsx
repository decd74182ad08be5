import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { CONTROL } from "@/components/ui/form";
import { formatAge } from "@/components/ui/format";
import { Cell, Row, Table } from "@/components/ui/table";
import { ApiError } from "@/lib/api-client";
import { useTokenStore } from "@/stores/token-store";
import { tokensQuery, useCreateToken, useRevokeToken } from "../api/tokens";

export function TokenSettings() {
  const { data: tokens = [], error } = useQuery(tokensQuery());
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState("");
  const [scope, setScope] = useState("read");
  const [days, setDays] = useState("");
  const [shown, setShown] = useState<string | null>(null);
  const signOut = useTokenStore((s) => s.setToken);
  const hasToken = useTokenStore((s) => s.token !== null);
  if (error instanceof ApiError && error.status === 403) {
    return <p className="text-sm text-slate-500">Managing tokens needs an admin token.</p>;
  }
  return (
    <div className="space-y-4">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { name: name.trim(), scope, expires_in_days: days ? Number(days) : undefined },
            {
              onSuccess: (token) => {
                setShown(token.token ?? null);
                setName("");
              },
            },
          );
        }}
      >
        <label className="text-sm">
          Name
          <br />
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            className={CONTROL}
          />
        </label>
        <label className="text-sm">
          Scope
          <br />
          <select value={scope} onChange={(e) => setScope(e.target.value)} className={CONTROL}>
            <option value="read">read</option>
            <option value="control">control</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label className="text-sm">
          Expires in days
          <br />
          <input
            type="number"
            min={1}
            max={3650}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            className={`${CONTROL} w-28`}
          />
        </label>
        <Button type="submit" variant="primary" disabled={!name.trim() || create.isPending}>
          Create token
        </Button>
      </form>
      {create.error && (
        <p role="alert" className="text-sm text-red-600">
          {(create.error as Error).message}
        </p>
      )}
      {shown && (
        <div
          role="status"
          className="rounded border border-green-400 bg-green-50 p-3 text-sm dark:bg-green-950"
        >
          Copy it now, it is shown once:{" "}
          <code className="break-all font-terminal" data-testid="new-token">
            {shown}
          </code>
        </div>
      )}
      <Table headings={["Name", "Scope", "Created", "Last used", "Expires", ""]}>
        {tokens.map((t) => (
          <Row key={t.id}>
            <Cell>{t.name}</Cell>
            <Cell>{t.scope}</Cell>
            <Cell>{formatAge(t.created_at)}</Cell>
            <Cell>{formatAge(t.last_used_at)}</Cell>
            <Cell>{t.expires_at ? new Date(t.expires_at).toLocaleDateString() : "never"}</Cell>
            <Cell className="text-right">
              {t.revoked_at ? (
                <span className="text-xs text-slate-500">revoked</span>
              ) : (
                <Button variant="ghost" onClick={() => revoke.mutate(t.id)}>
                  Revoke
                </Button>
              )}
            </Cell>
          </Row>
        ))}
      </Table>
      {hasToken && <Button onClick={() => signOut(null)}>Forget this browser's token</Button>}
    </div>
  );
}
