import { beforeEach, describe, expect, it } from "vitest";
import type { WireMessage } from "./api-types";
import { backoffDelay, RealtimeConnection, type SocketLike, type Status } from "./realtime";

/** Speaks the server's side of /ws in memory: the unit under test is the client's logic. */
class ScriptedSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor(
    readonly url: string,
    readonly protocols?: string[],
  ) {}
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  push(type: string, seq: number | null, data: Record<string, unknown> = {}) {
    this.onmessage?.({
      data: JSON.stringify({ type, channel: "global", timestamp: "", seq, data }),
    });
  }
  pushBatch(messages: [string, number, Record<string, unknown>][]) {
    const frame = messages.map(([type, seq, data]) => ({
      type,
      channel: "global",
      timestamp: "",
      seq,
      data,
    }));
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: "" });
  }
  close() {
    this.readyState = 3;
  }
}

interface Harness {
  sockets: ScriptedSocket[];
  timers: { fn: () => void; ms: number; cancelled: boolean }[];
  events: WireMessage[];
  statuses: Status[];
  resyncs: number;
  conn: RealtimeConnection;
  fireRetry: () => void;
}

function harness(): Harness {
  const h = { sockets: [], timers: [], events: [], statuses: [], resyncs: 0 } as unknown as Harness;
  h.conn = new RealtimeConnection({
    url: () => "ws://test/ws",
    protocols: () => ["bearer", "loki_x"],
    createSocket: (url, protocols) => {
      const socket = new ScriptedSocket(url, protocols);
      h.sockets.push(socket);
      return socket;
    },
    onEvent: (message) => h.events.push(message),
    onResync: () => {
      h.resyncs += 1;
    },
    onStatus: (status) => h.statuses.push(status),
    schedule: (fn, ms) => {
      const timer = { fn, ms, cancelled: false };
      h.timers.push(timer);
      return timer;
    },
    cancel: (timer) => {
      (timer as { cancelled: boolean }).cancelled = true;
    },
    random: () => 0.5,
  });
  h.fireRetry = () => {
    const timer = h.timers.filter((t) => !t.cancelled && t.ms < 45_000).at(-1);
    if (!timer) throw new Error("no retry scheduled");
    timer.cancelled = true;
    timer.fn();
  };
  return h;
}

const last = (h: Harness) => h.sockets[h.sockets.length - 1];

describe("RealtimeConnection", () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it("subscribes to every wanted channel when it opens, offering the token as subprotocol", () => {
    h.conn.subscribe("global");
    h.conn.subscribe("project:1");
    h.conn.start();
    last(h).open();
    expect(last(h).protocols).toEqual(["bearer", "loki_x"]);
    expect(last(h).sent).toEqual([{ type: "subscribe", channels: ["global", "project:1"] }]);
    last(h).push("subscribed", 10);
    expect(h.statuses.at(-1)).toBe("live");
  });

  it("resumes with since = the last seq after a drop, and drops duplicates at the seam", () => {
    h.conn.subscribe("project:1");
    h.conn.start();
    last(h).open();
    last(h).push("subscribed", 10);
    last(h).push("task:created", 11, { id: "a" });
    last(h).push("task:updated", 12, { id: "a" });
    last(h).drop();
    expect(h.statuses.at(-1)).toBe("reconnecting");
    h.fireRetry();
    last(h).open();
    expect(last(h).sent).toEqual([{ type: "subscribe", channels: ["project:1"], since: 12 }]);
    last(h).push("subscribed", 14);
    last(h).push("task:updated", 12, { id: "a" }); // already seen
    last(h).push("task:moved", 13, { id: "a" });
    expect(h.events.map((e) => e.seq)).toEqual([11, 12, 13]);
    expect(h.conn.seq).toBe(13);
  });

  it("takes a batch frame as its messages in order, duplicates dropped", () => {
    h.conn.subscribe("project:1");
    h.conn.start();
    last(h).open();
    last(h).pushBatch([
      ["subscribed", 10, {}],
      ["task:created", 11, { id: "a" }],
      ["task:updated", 11, { id: "a" }], // the same seq again
      ["task:moved", 12, { id: "a" }],
    ]);
    expect(h.statuses.at(-1)).toBe("live");
    expect(h.events.map((e) => [e.type, e.seq])).toEqual([
      ["task:created", 11],
      ["task:moved", 12],
    ]);
  });

  it("reloads everything and resubscribes when the server says resync", () => {
    h.conn.subscribe("project:1");
    h.conn.start();
    last(h).open();
    last(h).push("subscribed", 10);
    last(h).drop();
    h.fireRetry();
    last(h).open();
    const before = h.resyncs;
    last(h).push("resync", 500);
    expect(h.resyncs).toBe(before + 1);
    expect(last(h).sent.at(-1)).toEqual({ type: "subscribe", channels: ["project:1"], since: 500 });
    last(h).push("task:created", 501, { id: "b" });
    expect(h.events.map((e) => e.seq)).toEqual([501]);
  });

  it("backs off longer after each failure and reports offline after several", () => {
    h.conn.start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      last(h).drop();
      delays.push(h.timers.filter((t) => !t.cancelled && t.ms < 45_000).at(-1)?.ms ?? -1);
      h.fireRetry();
    }
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[4]).toBeGreaterThan(delays[0]);
    expect(h.statuses).toContain("offline");
    last(h).open();
    expect(h.statuses.at(-1)).toBe("live");
  });

  it("subscribes and unsubscribes on a live socket, counting users of a channel", () => {
    h.conn.start();
    last(h).open();
    expect(last(h).sent).toEqual([{ type: "ping" }]); // where do events stand?
    last(h).push("pong", 40);
    const first = h.conn.subscribe("session:9");
    const second = h.conn.subscribe("session:9");
    expect(last(h).sent.slice(1)).toEqual([
      { type: "subscribe", channels: ["session:9"], since: 40 },
    ]);
    first();
    expect(last(h).sent).toHaveLength(2);
    second();
    expect(last(h).sent.at(-1)).toEqual({ type: "unsubscribe", channels: ["session:9"] });
  });

  it("adds a channel with since, taking its replay even below seqs already had", () => {
    h.conn.subscribe("project:1");
    h.conn.start();
    last(h).open();
    last(h).push("subscribed", 10);
    last(h).push("task:created", 12, { id: "a" }); // project 1
    h.conn.subscribe("project:2"); // a screen read project 2 after seq 10 was known
    expect(last(h).sent.at(-1)).toEqual({ type: "subscribe", channels: ["project:2"], since: 12 });
    last(h).push("subscribed", 13);
    last(h).push("task:created", 11, { id: "b" }); // project 2's, committed before 12
    last(h).push("task:created", 12, { id: "a" }); // had already
    last(h).push("task:created", 13, { id: "c" });
    expect(h.events.map((e) => e.seq)).toEqual([12, 11, 13]);
    expect(h.conn.seq).toBe(13);
  });

  it("reads the screens' data again when it subscribed before knowing any seq", () => {
    h.conn.subscribe("project:1");
    h.conn.start();
    last(h).open();
    expect(last(h).sent).toEqual([{ type: "subscribe", channels: ["project:1"] }]);
    expect(h.resyncs).toBe(0);
    last(h).push("subscribed", 10);
    expect(h.resyncs).toBe(1); // a read made while the socket opened may predate seq 10
    last(h).drop();
    h.fireRetry();
    last(h).open();
    last(h).push("subscribed", 11); // a resume (since 10): nothing to read again
    expect(h.resyncs).toBe(1);
  });

  it("takes channels one by one when a resume names a project that is gone", () => {
    h.conn.subscribe("project:1");
    h.conn.subscribe("project:gone");
    h.conn.start();
    last(h).open();
    last(h).push("subscribed", 5);
    last(h).drop();
    h.fireRetry();
    last(h).open();
    const before = h.resyncs;
    last(h).push("error", null, { message: "no such project:gone; nothing was subscribed" });
    expect(h.resyncs).toBe(before + 1);
    expect(last(h).sent.slice(1)).toEqual([
      { type: "subscribe", channels: ["project:1"] },
      { type: "subscribe", channels: ["project:gone"] },
    ]);
  });

  it("treats silence past the heartbeat period as a dead connection", () => {
    h.conn.start();
    last(h).open();
    const stale = h.timers.filter((t) => !t.cancelled && t.ms === 45_000).at(-1);
    stale?.fn();
    expect(h.statuses.at(-1)).toBe("reconnecting");
    h.fireRetry();
    expect(h.sockets).toHaveLength(2);
  });
});

describe("backoffDelay", () => {
  it("grows exponentially and is capped", () => {
    expect(backoffDelay(1, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(2000);
    expect(backoffDelay(30, () => 1)).toBe(15000);
    expect(backoffDelay(30, () => 0)).toBe(7500);
  });
});
