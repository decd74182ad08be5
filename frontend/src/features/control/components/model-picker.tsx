import { CONTROL } from "@/components/ui/form";
import type { Session } from "@/lib/api-types";
import { useRunModel } from "@/stores/run-notices-store";
import { MODELS } from "../api/control";

/** The run's model: the last one it was switched to, or its own default until then. Controlled,
 * so a switch the server refuses leaves the picker where it was. */
export function ModelPicker({
  session,
  pending,
  onSwitch,
}: {
  session: Session;
  pending: boolean;
  onSwitch: (model: string) => void;
}) {
  const current = useRunModel(session.id);
  const claude = session.provider === "claude";
  return (
    <label className="flex items-center gap-1 text-sm">
      <span className="text-slate-500">Model</span>
      <select
        aria-label="Switch model"
        value={current ?? ""}
        disabled={!claude || pending}
        title={
          claude
            ? "Used from the run's next step"
            : `Only the claude provider can switch models; this run uses ${session.provider}`
        }
        onChange={(e) => e.target.value && onSwitch(e.target.value)}
        className={CONTROL}
      >
        <option value="" disabled={current !== undefined}>
          {claude ? "run's default" : session.provider}
        </option>
        {MODELS.map((model) => (
          <option key={model} value={model}>
            {model}
          </option>
        ))}
      </select>
    </label>
  );
}
