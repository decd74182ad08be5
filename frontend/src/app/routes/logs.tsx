import { useParams } from "react-router-dom";
import { LogView } from "@/features/logs/components/log-view";

export function LogsRoute() {
  const { projectId = "" } = useParams();
  return <LogView key={projectId} projectId={projectId} />;
}
