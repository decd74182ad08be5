/** The bearer token for a remote dashboard (loopback needs none), kept in this browser only. */

import { create } from "zustand";
import { persist } from "zustand/middleware";

interface TokenState {
  token: string | null;
  /** The server answered 401: ask the user for a token. */
  needsToken: boolean;
  setToken: (token: string | null) => void;
  setNeedsToken: (needs: boolean) => void;
}

export const useTokenStore = create<TokenState>()(
  persist(
    (set) => ({
      token: null,
      needsToken: false,
      setToken: (token) => set({ token, needsToken: false }),
      setNeedsToken: (needsToken) => set({ needsToken }),
    }),
    { name: "loki-token", partialize: (state) => ({ token: state.token }) },
  ),
);
