import { CONTROL } from "@/components/ui/form";
import { TokenSettings } from "@/features/auth/components/token-settings";
import { usePreferences } from "@/stores/preferences-store";

export function SettingsRoute() {
  const quiet = usePreferences((s) => s.quietMinutes);
  const setQuiet = usePreferences((s) => s.setQuietMinutes);
  return (
    <div className="max-w-3xl space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <section className="space-y-2">
        <h2 className="font-semibold">Needs you</h2>
        <label className="text-sm">
          A running project with no activity for{" "}
          <input
            type="number"
            min={1}
            max={1440}
            value={quiet}
            onChange={(e) => setQuiet(Math.max(1, Number(e.target.value) || 10))}
            className={`${CONTROL} w-20`}
          />{" "}
          minutes shows under "needs you".
        </label>
      </section>
      <section className="space-y-2">
        <h2 className="font-semibold">API tokens</h2>
        <TokenSettings />
      </section>
    </div>
  );
}
