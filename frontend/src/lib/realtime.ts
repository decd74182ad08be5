/**
 * The app's one WebSocket: subscribes to what is on screen, reconnects with backoff, resumes
 * with `since` so nothing is missed, and asks for a reload when the server says `resync`.
 * It lives outside React; components subscribe to channels and read the connection store.
 */

import type { WireMessage } from "./api-types";

export interface SocketLike {
  readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type Status = "connecting" | "live" | "reconnecting" | "offline";

export interface RealtimeOptions {
  url: () => string;
  protocols?: () => string[] | undefined;
  createSocket?: (url: string, protocols?: string[]) => SocketLike;
  onEvent: (message: WireMessage) => void;
  /** Events were missed and cannot be replayed: reload server data. */
  onResync: () => void;
  onStatus?: (status: Status, lastSeq: number | null, attempts: number) => void;
  /** A message about a bad request or a refused channel. */
  onError?: (message: string) => void;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
  random?: () => number;
  /** No message (not even a heartbeat) for this long means the connection is dead. */
  staleAfterMs?: number;
}

const OPEN = 1;
// How many recent event seqs are remembered to drop duplicates (events can arrive out of seq
// order when a channel is added: its replay follows what other channels already brought).
const SEEN_KEPT = 4096;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
// After this many failed attempts in a row the indicator says "offline" (retries go on).
const OFFLINE_AFTER = 4;

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class RealtimeConnection {
  private socket: SocketLike | null = null;
  private readonly counts = new Map<string, number>();
  private lastSeq: number | null = null;
  private readonly seen = new Set<number>();
  // A subscribe sent without `since` (nothing known yet): data read before it may miss events.
  private freshPending = false;
  private attempts = 0;
  private status: Status = "connecting";
  private retryHandle: unknown = null;
  private staleHandle: unknown = null;
  private stopped = true;
  // The subscribe sent on open covers several channels: if one is gone the server refuses all.
  private bulkPending = false;
  private readonly opts: Required<
    Pick<RealtimeOptions, "schedule" | "cancel" | "random" | "createSocket" | "staleAfterMs">
  > &
    RealtimeOptions;

  constructor(options: RealtimeOptions) {
    this.opts = {
      createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
      schedule: (fn, ms) => setTimeout(fn, ms),
      cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      random: Math.random,
      staleAfterMs: 45_000,
      ...options,
    };
  }

  get channels(): string[] {
    return [...this.counts.keys()];
  }

  get seq(): number | null {
    return this.lastSeq;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "page closed");
  }

  /** Keep `channel` subscribed while the returned function has not been called. Added to a
   * live connection, it asks for the channel's events since the connection's last seq, so
   * whatever changed between the screen's REST read and this subscribe still arrives. */
  subscribe(channel: string): () => void {
    const count = this.counts.get(channel) ?? 0;
    this.counts.set(channel, count + 1);
    if (count === 0 && this.isOpen()) this.sendSubscribe([channel]);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.counts.get(channel) ?? 1) - 1;
      if (left > 0) {
        this.counts.set(channel, left);
        return;
      }
      this.counts.delete(channel);
      if (this.isOpen()) this.send({ type: "unsubscribe", channels: [channel] });
    };
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  private send(message: unknown): void {
    this.socket?.send(JSON.stringify(message));
  }

  private sendSubscribe(channels: string[]): void {
    const message: Record<string, unknown> = { type: "subscribe", channels };
    if (this.lastSeq !== null) message.since = this.lastSeq;
    else this.freshPending = true;
    this.send(message);
  }

  private setStatus(status: Status): void {
    this.status = status;
    this.opts.onStatus?.(status, this.lastSeq, this.attempts);
  }

  private connect(): void {
    this.setStatus(this.attempts === 0 ? "connecting" : this.status);
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url(), this.opts.protocols?.());
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      const channels = this.channels;
      if (channels.length === 0) {
        // Learn where the server's events stand, so a channel added later can ask for
        // everything since now.
        if (this.lastSeq === null) this.send({ type: "ping" });
        this.markLive();
        return;
      }
      this.bulkPending = channels.length > 1;
      this.sendSubscribe(channels);
    };
    socket.onmessage = (event) => this.handle(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.retry();
    };
    socket.onerror = () => {
      // onclose follows and schedules the retry
    };
    this.watchStale();
  }

  private markLive(): void {
    this.attempts = 0;
    this.setStatus("live");
  }

  private retry(): void {
    this.clearTimers();
    if (this.stopped) return;
    this.attempts += 1;
    this.setStatus(this.attempts >= OFFLINE_AFTER ? "offline" : "reconnecting");
    this.retryHandle = this.opts.schedule(
      () => {
        this.retryHandle = null;
        if (!this.stopped) this.connect();
      },
      backoffDelay(this.attempts, this.opts.random),
    );
  }

  private watchStale(): void {
    if (this.staleHandle !== null) this.opts.cancel(this.staleHandle);
    this.staleHandle = this.opts.schedule(() => {
      this.staleHandle = null;
      // Silence past the heartbeat period: the network dropped us without a close.
      const socket = this.socket;
      this.socket = null;
      socket?.close(4000, "no heartbeat");
      this.retry();
    }, this.opts.staleAfterMs);
  }

  private clearTimers(): void {
    if (this.retryHandle !== null) this.opts.cancel(this.retryHandle);
    if (this.staleHandle !== null) this.opts.cancel(this.staleHandle);
    this.retryHandle = null;
    this.staleHandle = null;
  }

  private remember(seq: number): void {
    this.seen.add(seq);
    if (this.seen.size > SEEN_KEPT) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    if (this.lastSeq === null || seq > this.lastSeq) this.lastSeq = seq;
  }

  private handle(raw: unknown): void {
    if (typeof raw !== "string") return;
    let parsed: WireMessage | WireMessage[];
    try {
      parsed = JSON.parse(raw) as WireMessage | WireMessage[];
    } catch {
      return;
    }
    this.watchStale();
    // With ?batch=1 the messages that were waiting together come as one array, in order.
    if (Array.isArray(parsed)) for (const message of parsed) this.handleMessage(message);
    else this.handleMessage(parsed);
  }

  private handleMessage(message: WireMessage): void {
    switch (message.type) {
      case "subscribed":
        this.bulkPending = false;
        // Without `since` we start from now; with it the replay that follows carries seqs.
        if (this.lastSeq === null && typeof message.seq === "number") this.lastSeq = message.seq;
        this.markLive();
        if (this.freshPending) {
          // Screens read their data while the socket was still opening: what changed in
          // between came before this subscription, so read it again.
          this.freshPending = false;
          this.opts.onResync();
        }
        return;
      case "resync":
        this.lastSeq = typeof message.seq === "number" ? message.seq : null;
        this.opts.onResync();
        // The reload reads from after this seq: events since it are replayed, none lost.
        if (this.isOpen() && this.channels.length > 0) this.sendSubscribe(this.channels);
        return;
      case "pong":
        if (this.lastSeq === null && typeof message.seq === "number") this.lastSeq = message.seq;
        if (this.status !== "live" && this.isOpen()) this.markLive();
        return;
      case "heartbeat":
      case "unsubscribed":
        if (this.status !== "live" && this.isOpen()) this.markLive();
        return;
      case "error": {
        const text = String(message.data?.message ?? "real-time error");
        if (this.bulkPending && text.includes("nothing was subscribed")) {
          // A project or session went away while we were offline: take the others one by
          // one from now, and reload what the lost replay would have brought.
          this.bulkPending = false;
          for (const channel of this.channels)
            this.send({ type: "subscribe", channels: [channel] });
          this.opts.onResync();
          return;
        }
        this.opts.onError?.(text);
        if (this.status !== "live") this.markLive();
        return;
      }
      default:
        if (typeof message.seq === "number") {
          if (this.seen.has(message.seq)) return; // already had, through another channel
          this.remember(message.seq);
        }
        this.opts.onEvent(message);
    }
  }
}
