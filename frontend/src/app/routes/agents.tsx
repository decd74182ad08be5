import { useParams } from "react-router-dom";
import { AgentGrid } from "@/features/agents/components/agent-grid";

export function AgentsRoute() {
  const { projectId = "" } = useParams();
  return <AgentGrid projectId={projectId} />;
}
