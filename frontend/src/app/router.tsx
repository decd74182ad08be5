import { lazy, Suspense } from "react";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router-dom";
import { AppLayout } from "./layout";
import { OverviewRoute } from "./routes/overview";
import { ProjectRoute } from "./routes/project";

// Screens past the first are loaded when visited, keeping the first download small.
const BoardRoute = lazy(() => import("./routes/board").then((m) => ({ default: m.BoardRoute })));
const AgentsRoute = lazy(() => import("./routes/agents").then((m) => ({ default: m.AgentsRoute })));
const LogsRoute = lazy(() => import("./routes/logs").then((m) => ({ default: m.LogsRoute })));
const SystemRoute = lazy(() => import("./routes/system").then((m) => ({ default: m.SystemRoute })));
const SessionsRoute = lazy(() =>
  import("./routes/sessions").then((m) => ({ default: m.SessionsRoute })),
);
const LearningsRoute = lazy(() =>
  import("./routes/learnings").then((m) => ({ default: m.LearningsRoute })),
);
const SettingsRoute = lazy(() =>
  import("./routes/settings").then((m) => ({ default: m.SettingsRoute })),
);

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
          { index: true, element: wait(<BoardRoute />) },
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
  return <RouterProvider router={router} />;
}
