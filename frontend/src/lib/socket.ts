/** The app's single socket, wired to the Query cache and the connection store. */

import { useConnectionStore } from "@/stores/connection-store";
import { useTokenStore } from "@/stores/token-store";
import { createLiveCache } from "./live-cache";
import { queryClient } from "./query-client";
import { RealtimeConnection } from "./realtime";
import { toast } from "./toast";

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}/ws?batch=1`;
}

const applyEvent = createLiveCache(queryClient);

export const socket = new RealtimeConnection({
  url: socketUrl,
  // The token travels as a subprotocol, never in the URL (URLs end up in logs).
  protocols: () => {
    const token = useTokenStore.getState().token;
    return token ? ["bearer", token] : undefined;
  },
  onEvent: applyEvent,
  onResync: () => void queryClient.invalidateQueries(),
  onStatus: (status, lastSeq, attempts) =>
    useConnectionStore.getState().set({ status, lastSeq, attempts }),
  onError: (message) => toast.error(message),
});

// A new token (signed in, or forgotten) is a new identity: reconnect and reload everything.
useTokenStore.subscribe((state, previous) => {
  if (state.token !== previous.token) {
    socket.stop();
    socket.start();
    void queryClient.invalidateQueries();
  }
});
