import { useParams } from "react-router-dom";
import { LogView } from "@/features/logs/components/log-view";
import { useLatestSession } from "./project";

const LIVE = new Set(["starting", "running", "paused", "stopping"]);

export function LogsRoute() {
  const { projectId = "" } = useParams();
  const session = useLatestSession(projectId);
  const ended = session && !LIVE.has(session.status) ? session.ended_at : null;
  return <LogView key={projectId} projectId={projectId} runEnded={ended} />;
}
