/** Shapes of the server's JSON, mirroring backend/src/loki_dashboard/schemas/ (see /docs). */

export type Uuid = string;
export type TaskStatus = "pending" | "in_progress" | "review" | "completed" | "failed";
export type TaskPriority = "low" | "medium" | "high" | "critical";
export type SessionStatus =
  | "starting"
  | "running"
  | "paused"
  | "stopping"
  | "stopped"
  | "failed"
  | "completed";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Project {
  id: Uuid;
  name: string;
  path: string;
  git_remote: string | null;
  git_branch: string | null;
  provider: string;
  config: Record<string, unknown> | null;
  missing: boolean;
  created_at: string;
  updated_at: string;
}

/** A card of GET /api/overview: a project with its newest run and live counts. */
export interface ProjectOverview {
  project: Project;
  session: Session | null;
  task_counts: Record<string, number>;
  active_agents: number;
  /** Someone asked the newest run to stop through the dashboard: its end was expected. */
  stop_requested: boolean;
  /** When the newest run last wrote to its files. */
  last_activity_at: string | null;
  /** Sums over every run of the project. */
  totals: { runs: number; cost_usd: number; input_tokens: number; output_tokens: number };
}

export interface Task {
  id: Uuid;
  project_id: Uuid;
  session_id: Uuid | null;
  parent_id: Uuid | null;
  external_id: string | null;
  source: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  type: string;
  column_order: number;
  agent_type: string | null;
  agent_model: string | null;
  labels: string[];
  github_issue: number | null;
  output: string | null;
  error: string | null;
  metadata: Record<string, unknown> | null;
  started_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

/** GET /api/tasks/board: every column of a project's board in one answer. */
export interface TaskBoard {
  items: Task[];
  totals: Record<TaskStatus, number>;
  /** Columns with more cards than the server sends in one board. */
  truncated: TaskStatus[];
}

export interface TaskDraft {
  title: string;
  description?: string | null;
  priority?: TaskPriority;
  type?: string;
  labels?: string[];
  parent_id?: Uuid | null;
}

export interface TokenTotals {
  input: number;
  output: number;
  cost_usd: number;
  iterations?: number;
  source?: string;
  per_iteration?: { iteration: number; input: number; output: number; cost_usd: number }[];
}

export interface SessionSnapshot {
  alive?: boolean;
  liveness?: string;
  autonomy_status?: string;
  /** "requested": PAUSE waits for the run's next boundary; "paused": the run says it paused. */
  pause?: "requested" | "paused";
  /** The run ended (or paused) in a way that asks a person for a decision. */
  needs_person?: boolean;
  error?: string;
  /** The run's phase changes, from its own events. */
  phases?: { phase: string; at: string | null }[];
  /** The RARV stage the runner's log last announced. */
  rarv?: { stage: string; at: string | null };
  mode?: string;
  tokens?: TokenTotals;
  memory?: Record<string, unknown>;
  council?: Record<string, unknown>;
  checklist?: Record<string, unknown>;
  qualityGates?: Record<string, unknown>;
  quality?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Session {
  id: Uuid;
  project_id: Uuid;
  prd_path: string | null;
  status: SessionStatus;
  phase: string | null;
  provider: string;
  pid: number | null;
  iteration: number;
  started_at: string;
  ended_at: string | null;
  exit_code: number | null;
  /** How the run ended, in the runner's words (null while live). */
  outcome: string | null;
  /** The run's state in one sentence, with its numbers. */
  summary: string | null;
  last_activity_at: string | null;
  /** Spent by this run alone. */
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  config: Record<string, unknown> | null;
  snapshot: SessionSnapshot | null;
}

export interface Agent {
  id: Uuid;
  project_id: Uuid;
  session_id: Uuid | null;
  task_id: Uuid | null;
  external_id: string | null;
  name: string;
  type: string | null;
  model: string | null;
  status: string;
  current_task: string | null;
  tool_count: number;
  started_at: string | null;
  ended_at: string | null;
  tokens_used: number;
  cost: number;
  output: string | null;
}

export interface LogEntry {
  id: number;
  project_id: Uuid | null;
  session_id: Uuid | null;
  timestamp: string;
  level: string;
  source: string | null;
  message: string;
  metadata: Record<string, unknown> | null;
  raw: string | null;
}

export interface LogPage {
  items: LogEntry[];
  next_before: number | null;
  next_after: number | null;
}

export interface Learning {
  id: Uuid;
  type: "patterns" | "mistakes" | "successes";
  project_id: Uuid | null;
  category: string | null;
  description: string;
  context: Record<string, unknown> | null;
  created_at: string;
  score?: number;
}

export interface ControlResult {
  action: string;
  status: string;
  message: string;
}

export interface SystemStatus {
  version: string;
  database: string;
  uptime_seconds: number;
  projects: number;
  active_sessions: number;
  tasks_by_status: Record<string, number>;
  active_agents: number;
  watcher: Record<string, unknown> | null;
}

export interface ApiToken {
  id: Uuid;
  name: string;
  scope: "read" | "control" | "admin";
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  token?: string;
}

/** A message on `/ws`: an event or a control answer. */
export interface WireMessage {
  type: string;
  channel: string;
  timestamp: string;
  seq: number | null;
  data: Record<string, unknown>;
}
