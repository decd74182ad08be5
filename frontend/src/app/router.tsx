import { type ComponentType, lazy, Suspense, useEffect } from "react";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router-dom";
import { boardQuery } from "@/features/board/api/tasks";
import { queryClient } from "@/lib/query-client";
import { AppLayout } from "./layout";
import { OverviewRoute } from "./routes/overview";
import { ProjectRoute } from "./routes/project";

// Screens past the first are not in the first download; they are fetched once the app is idle
// (so a click does not wait for one) or when visited first, whichever comes sooner.
const screens = {
  board: () => import("./routes/board"),
  agents: () => import("./routes/agents"),
  logs: () => import("./routes/logs"),
  system: () => import("./routes/system"),
  sessions: () => import("./routes/sessions"),
  learnings: () => import("./routes/learnings"),
  settings: () => import("./routes/settings"),
};
/** A lazily loaded screen: the named export of one of `screens`. */
function screen<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}
const BoardRoute = screen(screens.board, "BoardRoute");
const AgentsRoute = screen(screens.agents, "AgentsRoute");
const LogsRoute = screen(screens.logs, "LogsRoute");
const SystemRoute = screen(screens.system, "SystemRoute");
const SessionsRoute = screen(screens.sessions, "SessionsRoute");
const LearningsRoute = screen(screens.learnings, "LearningsRoute");
const SettingsRoute = screen(screens.settings, "SettingsRoute");

function preloadScreens(): void {
  for (const load of Object.values(screens)) void load().catch(() => undefined);
}

const wait = (node: React.ReactNode) => (
  <Suspense fallback={<p className="text-slate-500">Loading…</p>}>{node}</Suspense>
);

const router = createBrowserRouter([
  {
    element: <AppLayout />,
    children: [
      { index: true, element: <OverviewRoute /> },
      {
        path: "projects/:projectId",
        element: <ProjectRoute />,
        children: [
          {
            index: true,
            element: wait(<BoardRoute />),
            // The board's tasks are asked for as the navigation starts, not once its code has
            // arrived and mounted (on a cold load that wait was most of the first render).
            loader: ({ params }) => {
              if (params.projectId) void queryClient.prefetchQuery(boardQuery(params.projectId));
              return null;
            },
          },
          { path: "agents", element: wait(<AgentsRoute />) },
          { path: "logs", element: wait(<LogsRoute />) },
          { path: "system", element: wait(<SystemRoute />) },
          { path: "sessions", element: wait(<SessionsRoute />) },
        ],
      },
      { path: "learnings", element: wait(<LearningsRoute />) },
      { path: "settings", element: wait(<SettingsRoute />) },
      { path: "*", element: <Navigate to="/" replace /> },
    ],
  },
]);

export function AppRouter() {
  useEffect(() => {
    const idle = window.requestIdleCallback ?? ((fn: () => void) => window.setTimeout(fn, 1000));
    idle(preloadScreens);
  }, []);
  return <RouterProvider router={router} />;
}
