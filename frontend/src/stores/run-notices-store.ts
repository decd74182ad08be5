/** What a run told us about itself through control actions (kept in this browser): which
 * sessions set human input aside because prompt injection is off, and the model each was last
 * switched to (the run's files do not say which model it uses). */

import { create } from "zustand";
import { persist } from "zustand/middleware";

// Enough to cover every run a person steers in a while; older ones drop off.
const KEEP = 50;

interface RunNotices {
  inputRefused: string[];
  models: Record<string, string>;
  markInputRefused: (sessionId: string) => void;
  setModel: (sessionId: string, model: string) => void;
}

export const useRunNotices = create<RunNotices>()(
  persist(
    (set) => ({
      inputRefused: [],
      models: {},
      setModel: (sessionId, model) =>
        set((state) => {
          const kept = Object.entries(state.models).filter(([id]) => id !== sessionId);
          return { models: Object.fromEntries([...kept.slice(1 - KEEP), [sessionId, model]]) };
        }),
      markInputRefused: (sessionId) =>
        set((state) =>
          state.inputRefused.includes(sessionId)
            ? state
            : { inputRefused: [...state.inputRefused, sessionId].slice(-KEEP) },
        ),
    }),
    {
      name: "loki-run-notices",
      partialize: (state) => ({ inputRefused: state.inputRefused, models: state.models }),
    },
  ),
);

export const useInputRefused = (sessionId: string | undefined) =>
  useRunNotices((state) => sessionId !== undefined && state.inputRefused.includes(sessionId));

export const useRunModel = (sessionId: string | undefined) =>
  useRunNotices((state) => (sessionId === undefined ? undefined : state.models[sessionId]));
