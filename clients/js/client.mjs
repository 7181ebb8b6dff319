// A client of the live protocol (docs/protocol.md) and of the REST API (docs/api.md) for
// Node, written from those documents alone: it connects to the `/live` namespace as a
// console, a projector or a phone, keeps its state with the reducer of §5/§7, checks every
// event record it receives against the OpenAPI document's EventData, and sends commands with
// the idempotent retry of §4.
import { randomBytes } from "node:crypto";
import { io } from "socket.io-client";
import { Store } from "../../static/js/reducer.js";

// Events phones and the projector receive as records (§3); every other type reaches them
// only as changes.
export const PUBLIC_EVENTS = new Set(["agenda.item_started", "agenda.finished", "meeting.opened",
  "meeting.ended", "minutes.finalised", "minutes.corrected"]);

const ACK_TIMEOUT_MS = 8000;
const TRIES = 5;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function commandId() {
  return randomBytes(16).toString("hex");
}

// --- HTTP: the sign-in form and the REST API ---------------------------------------------

// The cookies a browser would keep for the site, enough for the session cookie (§1).
class CookieJar {
  constructor() { this.cookies = new Map(); }
  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

// Signs in as a browser does: the form of GET /login (its CSRF token, which is bound to the
// session cookie that page sets), posted back with the username and password. Returns the
// Cookie header the console's handshake carries.
export async function signIn(baseUrl, username, password) {
  const jar = new CookieJar();
  const page = await fetch(`${baseUrl}/login?lang=en`, { redirect: "manual" });
  jar.take(page);
  const html = await page.text();
  const csrf = /name="csrf_token"[^>]*value="([^"]+)"/.exec(html);
  if (!csrf) throw new Error("no csrf_token in the sign-in form");
  const form = new URLSearchParams({ csrf_token: csrf[1], username, password });
  const answer = await fetch(`${baseUrl}/login?lang=en`, {
    method: "POST", redirect: "manual", body: form,
    headers: { Cookie: jar.header(), "Content-Type": "application/x-www-form-urlencoded" },
  });
  jar.take(answer);
  if (answer.status !== 302 && answer.status !== 303) {
    throw new Error(`sign-in answered ${answer.status}, not a redirect`);
  }
  return jar.header();
}

export class Api {
  constructor(baseUrl, token) {
    this.base = `${baseUrl}/api/v1`;
    this.token = token;
  }
  async get(path, { raw = false } = {}) {
    const response = await fetch(this.base + path, {
      headers: { Authorization: `Bearer ${this.token}` },
    });
    if (raw) return response;
    const body = await response.json();
    if (!response.ok) {
      throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
    }
    return body;
  }
}

// --- the live connection ------------------------------------------------------------------

export class LiveClient {
  // face: "console" | "projector" | "phone"; auth: the rest of the handshake (§2): token,
  // join; cookie: the console's session cookie; schemas: ./schemas.mjs.
  constructor({ baseUrl, meetingId, face, auth = {}, cookie = null, schemas, label }) {
    this.baseUrl = baseUrl;
    this.meetingId = meetingId;
    this.face = face;
    this.auth = auth;
    this.cookie = cookie;
    this.schemas = schemas;
    this.label = label || face;
    this.store = new Store();
    this.welcome = null;
    this.me = null;
    this.tallies = null;
    this.events = [];          // every event record received, in arrival order
    this.problems = [];        // every disagreement with the protocol noticed on the way
    this.listeners = new Set();
  }

  get state() { return this.store.state; }

  problem(text) {
    this.problems.push(`${this.label}: ${text}`);
  }

  // Resolves with the welcome once connected and holding a state; rejects with the refusal's
  // error object (§2, "Refusals").
  // The handshake asks for the catch-up from the state held (none at first), §2.
  connect() {
    const auth = { meeting_id: this.meetingId, face: this.face, ...this.auth,
      sync: { since: this.state ? this.state.seq : null } };
    const options = { auth, reconnection: false, forceNew: true };
    if (this.cookie) options.extraHeaders = { Cookie: this.cookie };
    this.socket = io(`${this.baseUrl}/live`, options);
    return new Promise((resolve, reject) => {
      this.socket.on("connect_error", (err) => reject(err.data || err));
      this.socket.on("welcome", (welcome) => {
        this.welcome = welcome;
        // A phone that joined reconnects with its token from then on (§2, "Joining").
        if (welcome.token) this.auth = { token: welcome.token };
        if (!welcome.sync) {
          this.problem("the welcome of a handshake with `sync` carries no `sync`");
        } else {
          this.onSyncAnswer(welcome.sync);
        }
      });
      this.socket.on("connect", () => {
        if (!this.welcome) this.problem("`connect` came before `welcome` (§3 says the reverse)");
        resolve(this.welcome);
      });
      this.socket.on("batch", (batch) => this.onBatch(batch));
      this.socket.on("me", (me) => { this.me = me; this.notify(); });
      this.socket.on("tally", (tally) => {
        if (!this.tallies || tally.at >= this.tallies.at) this.tallies = tally;
        this.notify();
      });
      this.socket.on("heartbeat", (beat) => {
        if (this.state && beat.seq > this.state.seq) {
          setTimeout(() => { if (beat.seq > this.state.seq) this.sync(); }, 1000);
        }
      });
      this.socket.on("closed", (error) => this.problem(`closed by the server: ${error.code}`));
    });
  }

  onSyncAnswer(answer) {
    if (!answer.ok) {
      this.problem(`sync refused: ${JSON.stringify(answer.error)}`);
      return;
    }
    if ("snapshot" in answer === "batch" in answer) {
      this.problem("a sync answer must hold exactly one of `snapshot` and `batch`");
    }
    if (answer.batch) this.checkBatch(answer.batch);
    if ("me" in answer) this.me = answer.me;
    if ("tallies" in answer) this.tallies = answer.tallies;
    if (this.store.onSyncAnswer(answer)) setTimeout(() => this.sync(), 200);
    this.notify();
  }

  onBatch(batch) {
    this.checkBatch(batch);
    const outcome = this.store.onBatch(batch);
    if (outcome === "gap") this.sync();
    this.notify();
  }

  // Every record of a batch: in its range, in order, of a type the role may receive, and
  // with `data` valid for its type against the OpenAPI document.
  checkBatch(batch) {
    if (!(batch.from <= batch.to)) this.problem(`batch ${batch.from}..${batch.to}: from > to`);
    let last = batch.from - 1;
    for (const record of batch.events) {
      this.events.push(record);
      if (record.seq < batch.from || record.seq > batch.to || record.seq <= last) {
        this.problem(`event ${record.seq} out of order in batch ${batch.from}..${batch.to}`);
      }
      last = record.seq;
      if (this.face !== "console" && !PUBLIC_EVENTS.has(record.type)) {
        this.problem(`received the record of ${record.type}, which is not public (§3)`);
      }
      const error = this.schemas.checkEvent(record);
      if (error) this.problem(`event ${record.seq} does not match EventData: ${error}`);
    }
  }

  async sync(since = this.state ? this.state.seq : null) {
    this.store.syncing = true;
    let answer;
    for (;;) {
      answer = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("sync", { since });
      // §4, throttling: ask again once the wait the server names is over.
      if (answer.ok || answer.error.code !== "sync.too_fast") break;
      await sleep(1000 * answer.error.params.seconds);
    }
    this.onSyncAnswer(answer);
    return answer;
  }

  // A fresh snapshot for this role (`sync` with `since: null`), without touching the state.
  async freshSnapshot() {
    const answer = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("sync", { since: null });
    if (!answer.ok) throw new Error(`sync refused: ${JSON.stringify(answer.error)}`);
    return answer;
  }

  // §4: a random id, re-sent unchanged when the ack times out. Resolves with the ack; the
  // payload is checked against CommandPayload first, as a client holding the schema can.
  async send(type, payload = {}) {
    const error = this.schemas.checkCommand(type, payload);
    if (error) throw new Error(`the payload does not match CommandPayload: ${error}`);
    const message = { id: commandId(), type, payload };
    for (let attempt = 1; ; attempt++) {
      let ack;
      try {
        ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("command", message);
      } catch (timeout) {
        if (attempt >= TRIES) throw timeout;
        continue;
      }
      // §4: out of tokens (5 a second come back); a refused command leaves no record, so
      // the same id is sent again.
      if (!ack.ok && ack.error.code === "command.too_fast" && attempt < TRIES) {
        await sleep(250);
        continue;
      }
      return ack;
    }
  }

  // Sends and insists on `ok`; the result.
  async run(type, payload = {}) {
    const ack = await this.send(type, payload);
    if (!ack.ok) throw new Error(`${this.label} ${type}: ${JSON.stringify(ack.error)}`);
    return ack;
  }

  notify() {
    for (const listener of this.listeners) listener();
  }

  // Resolves once `predicate(this)` holds (checked after every message), or rejects after
  // `ms` with `what` in the message.
  waitFor(what, predicate, ms = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let ok = false;
        try { ok = predicate(this); } catch { ok = false; }
        if (ok) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(this);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${this.label}: waited ${ms} ms for ${what}`));
      }, ms);
      this.listeners.add(check);
      check();
    });
  }

  // A new connection that keeps the state: the welcome brings what was missed (§5).
  reconnect() {
    this.close();
    this.welcome = null;
    return this.connect();
  }

  // §11: the offset of the sample with the shortest round trip of three.
  async clockOffset() {
    let best = null;
    for (let i = 0; i < 3; i++) {
      const sent = Date.now();
      const reply = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("clock", { t: sent });
      const received = Date.now();
      if (reply.client_time !== sent) this.problem("clock: client_time does not echo t");
      const sample = { rtt: received - sent, offset: reply.server_time - (sent + received) / 2 };
      if (best === null || sample.rtt < best.rtt) best = sample;
    }
    return best.offset;
  }

  close() {
    if (this.socket) this.socket.close();
  }
}
