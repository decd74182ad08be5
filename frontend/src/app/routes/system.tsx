import { useParams } from "react-router-dom";
import { SystemStatus } from "@/features/status/components/system-status";
import { useLatestSession } from "./project";

export function SystemRoute() {
  const { projectId = "" } = useParams();
  const session = useLatestSession(projectId);
  if (!session)
    return <p className="text-slate-500">No run yet: start a session to see its status here.</p>;
  return <SystemStatus session={session} />;
}
