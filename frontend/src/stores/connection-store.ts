/** Live-stream state: is the socket live, and the last event seq seen (for resume). */

import { create } from "zustand";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

interface ConnectionState {
  status: ConnectionStatus;
  lastSeq: number | null;
  attempts: number;
  set: (patch: Partial<Omit<ConnectionState, "set">>) => void;
}

export const useConnectionStore = create<ConnectionState>()((set) => ({
  status: "connecting",
  lastSeq: null,
  attempts: 0,
  set: (patch) => set(patch),
}));

export const useConnectionStatus = () => useConnectionStore((state) => state.status);
