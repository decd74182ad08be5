import { useParams } from "react-router-dom";
import { SessionHistory } from "@/features/sessions/components/session-history";

export function SessionsRoute() {
  const { projectId = "" } = useParams();
  return <SessionHistory projectId={projectId} />;
}
