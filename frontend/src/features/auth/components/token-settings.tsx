import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { formatAge } from "@/components/ui/format";
import { ApiError } from "@/lib/api-client";
import { useTokenStore } from "@/stores/token-store";
import { tokensQuery, useCreateToken, useRevokeToken } from "../api/tokens";

const input =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800";

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
            className={input}
          />
        </label>
        <label className="text-sm">
          Scope
          <br />
          <select value={scope} onChange={(e) => setScope(e.target.value)} className={input}>
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
            className={`${input} w-28`}
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
      <table className="w-full text-left text-sm">
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="p-1">Name</th>
            <th className="p-1">Scope</th>
            <th className="p-1">Created</th>
            <th className="p-1">Last used</th>
            <th className="p-1">Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} className="border-t border-slate-200 dark:border-slate-700">
              <td className="p-1">{t.name}</td>
              <td className="p-1">{t.scope}</td>
              <td className="p-1">{formatAge(t.created_at)}</td>
              <td className="p-1">{formatAge(t.last_used_at)}</td>
              <td className="p-1">
                {t.expires_at ? new Date(t.expires_at).toLocaleDateString() : "never"}
              </td>
              <td className="p-1 text-right">
                {t.revoked_at ? (
                  <span className="text-xs text-slate-500">revoked</span>
                ) : (
                  <Button variant="ghost" onClick={() => revoke.mutate(t.id)}>
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {hasToken && <Button onClick={() => signOut(null)}>Forget this browser's token</Button>}
    </div>
  );
}
