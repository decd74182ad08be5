import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ApiError } from "@/lib/api-client";
import type { Session } from "@/lib/api-types";
import { toast } from "@/lib/toast";
import { useInputRefused, useRunNotices } from "@/stores/run-notices-store";
import { useControl, useStartSession } from "../api/control";
import { HumanInputForm } from "./human-input-form";
import { ModelPicker } from "./model-picker";
import { StartSessionForm } from "./start-session-form";

const LIVE = new Set(["starting", "running", "paused", "stopping"]);

function report(error: unknown) {
  toast.error(error instanceof ApiError ? error.message : String(error));
}

/** The server's pause answer without its sentence about perpetual mode. */
export function withoutPerpetualCaveat(message: string): string {
  return message
    .split(/(?<=\.)\s+/)
    .filter((sentence) => !/perpetual mode/i.test(sentence))
    .join(" ");
}

/** Start, pause, resume, stop, steer and switch model, each with the server's own words. */
export function SessionControls({
  projectId,
  session,
}: {
  projectId: string;
  session: Session | null;
}) {
  const control = useControl(session?.id);
  const start = useStartSession(projectId);
  const [dialog, setDialog] = useState<"start" | "stop" | "input" | null>(null);
  const live = session !== null && LIVE.has(session.status);
  // A run still starting deletes control files it finds: only Stop reaches it now.
  const steerable = live && session.status !== "starting";
  // PAUSE is written but the run works on until its next boundary (its files then say paused).
  const pauseAsked =
    live && session.status === "running" && session.snapshot?.pause === "requested";
  // Known only once the run said so: it set input aside (or the session's config says it).
  const refused = useInputRefused(session?.id);
  const acceptsInput = !refused && session?.config?.prompt_injection !== false;

  const act = (action: "pause" | "resume" | "stop" | "model", body?: unknown) =>
    control.mutate(
      { action, body },
      {
        onSuccess: (result) => {
          if (action === "model" && session) {
            useRunNotices.getState().setModel(session.id, (body as { model: string }).model);
          }
          if (action === "pause") {
            // Only a run without a PRD (perpetual mode) ignores PAUSE; control:pause_not_honoured
            // then says whether this one did. A run with a PRD needs no caveat.
            if (session?.prd_path) toast.success(withoutPerpetualCaveat(result.message));
            else toast.info(`This run has no PRD. ${result.message}`);
          } else toast.success(result.message);
        },
        onError: report,
      },
    );

  return (
    <div role="group" className="flex flex-wrap items-center gap-2" aria-label="Session controls">
      {!live && (
        <Button variant="primary" onClick={() => setDialog("start")}>
          Start session
        </Button>
      )}
      {steerable && session.status !== "paused" && !pauseAsked && (
        <Button onClick={() => act("pause")} disabled={control.isPending}>
          Pause
        </Button>
      )}
      {pauseAsked && (
        <span className="text-sm text-amber-700 dark:text-amber-300" data-testid="pause-requested">
          Pause requested: the run pauses at its next boundary
        </span>
      )}
      {live && (session.status === "paused" || session.status === "stopping" || pauseAsked) && (
        <Button onClick={() => act("resume")} disabled={control.isPending}>
          Resume
        </Button>
      )}
      {live && (
        <Button variant="danger" onClick={() => setDialog("stop")} disabled={control.isPending}>
          Stop
        </Button>
      )}
      {live && !steerable && (
        <span className="text-sm text-slate-500" data-testid="run-starting">
          Starting: the run can be steered once it is running
        </span>
      )}
      {steerable && (
        <Button
          onClick={() => setDialog("input")}
          title={acceptsInput ? "" : "This run does not accept input"}
        >
          Send input
        </Button>
      )}
      {steerable && (
        <ModelPicker
          session={session}
          pending={control.isPending}
          onSwitch={(model) => act("model", { model })}
        />
      )}
      <Dialog open={dialog === "start"} title="Start a session" onClose={() => setDialog(null)}>
        <StartSessionForm
          projectId={projectId}
          pending={start.isPending}
          onCancel={() => setDialog(null)}
          onStart={(body) =>
            start.mutate(body, {
              onSuccess: () => {
                setDialog(null);
                toast.success("Session started");
              },
              onError: report,
            })
          }
        />
      </Dialog>
      <Dialog open={dialog === "stop"} title="Stop this run?" onClose={() => setDialog(null)}>
        <p className="mb-4 text-sm">
          The run gets STOP, then SIGTERM, then SIGKILL after a grace period. Work in progress in
          this iteration may be lost.
        </p>
        <div className="flex justify-end gap-2">
          <Button onClick={() => setDialog(null)}>Cancel</Button>
          <Button
            variant="danger"
            onClick={() => {
              setDialog(null);
              act("stop");
            }}
          >
            Stop the run
          </Button>
        </div>
      </Dialog>
      <Dialog
        open={dialog === "input"}
        title="Send input to the agent"
        onClose={() => setDialog(null)}
      >
        <HumanInputForm
          acceptsInput={acceptsInput}
          pending={control.isPending}
          onCancel={() => setDialog(null)}
          onSend={(text) =>
            control.mutate(
              { action: "input", body: { text } },
              {
                onSuccess: (result) => {
                  setDialog(null);
                  toast.success(result.message);
                },
                onError: report,
              },
            )
          }
        />
      </Dialog>
    </div>
  );
}
