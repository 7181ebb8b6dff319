// A whole meeting played by the reference client against a running server with the demo
// loaded (`facilitator demo`): the moderator's console, the projector and two residents'
// phones. Every event record received is checked against the OpenAPI document's EventData,
// and at the end each client's reduced state must equal a fresh snapshot for its role.
//
// Run by tests/integration/test_js_reference_client.py, which starts the server and passes:
//   FACILITATOR_URL         http://127.0.0.1:<port>
//   FACILITATOR_MEETING_ID  the demo meeting's id (live, opened by `facilitator demo`)
//   FACILITATOR_USERNAME, FACILITATOR_PASSWORD   the meeting's moderator
//   FACILITATOR_API_TOKEN   that moderator's API token (`facilitator create-token`)
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Api, LiveClient, commandId, signIn } from "./client.mjs";
import { applyEvent } from "../../static/js/reducer.js";
import { Schemas } from "./schemas.mjs";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (see the head of this file)`);
  return value;
};

const STEP_MS = 20000;

// §14: sorted keys, no whitespace, UTF-8 (nothing beyond what JSON needs escaped).
const canonicalJson = (value) => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
};

describe("a whole meeting played by the reference client", { concurrency: 1 }, () => {
  const baseUrl = env("FACILITATOR_URL");
  const meetingId = Number(env("FACILITATOR_MEETING_ID"));
  const api = new Api(baseUrl, env("FACILITATOR_API_TOKEN"));
  let schemas;
  let consoleClient;
  let projector;
  const phones = [];
  let owners;          // the two owners of the roster the phones claim to be
  let voteId;
  let finalised;       // the minutes.finalised record
  let before0;         // the API's snapshot before the meeting is played

  const clients = () => [consoleClient, projector, ...phones].filter(Boolean);
  const everyone = (what, predicate) =>
    Promise.all(clients().map((client) => client.waitFor(what, predicate)));
  const consoleEvent = (type, extra = () => true) =>
    consoleClient.waitFor(`a ${type} record`, (c) => c.events.some((e) => e.type === type && extra(e)));

  before(async () => {
    const response = await fetch(`${baseUrl}/api/v1/openapi.json`);
    assert.equal(response.status, 200, "the OpenAPI document is served without a token");
    schemas = new Schemas(await response.json());
    before0 = await api.get(`/meetings/${meetingId}/snapshot`);
  });

  after(() => { for (const client of clients()) client.close(); });

  it("the moderator signs in and the console connects as chair", { timeout: STEP_MS }, async () => {
    const cookie = await signIn(baseUrl, env("FACILITATOR_USERNAME"), env("FACILITATOR_PASSWORD"));
    assert.match(cookie, /(^|; )session=/, "the sign-in sets the session cookie");
    consoleClient = new LiveClient({ baseUrl, meetingId, face: "console", cookie, schemas });
    const welcome = await consoleClient.connect();
    assert.equal(welcome.role, "chair");
    assert.equal(welcome.participant_id, null);
    assert.equal(typeof welcome.server_time, "number");
    assert.equal(consoleClient.state.meeting.status, "live", "the demo meeting is live");
    assert.match(consoleClient.state.meeting.join_code, /^[1-9]\d{5}$/);
    assert.equal(typeof consoleClient.state.meeting.projector_token, "string");
    assert.ok(Number.isFinite(await consoleClient.clockOffset()), "§11's clock offset");
  });

  it("a console without a session is refused with auth.login_required", { timeout: STEP_MS }, async () => {
    const stranger = new LiveClient({ baseUrl, meetingId, face: "console", schemas, label: "stranger" });
    await assert.rejects(stranger.connect(), (error) => error.code === "auth.login_required");
    stranger.close();
  });

  it("the projector connects with the token the console holds", { timeout: STEP_MS }, async () => {
    projector = new LiveClient({ baseUrl, meetingId, face: "projector", schemas,
      auth: { token: consoleClient.state.meeting.projector_token } });
    const welcome = await projector.connect();
    assert.equal(welcome.role, "projector");
    assert.equal(projector.state.meeting.projector_token, undefined, "redacted for the projector");
    assert.equal(projector.state.seq, consoleClient.state.seq);
  });

  it("the chair starts the first agenda item", { timeout: STEP_MS }, async () => {
    const ack = await consoleClient.run("agenda.next");
    assert.equal(ack.duplicate, false);
    const itemId = ack.result.item_id;
    await everyone("the item to be current", (c) => c.state.meeting.current_item_id === itemId
      && c.state.seq >= ack.seq);
    const item = consoleClient.state.agenda[String(itemId)];
    assert.notEqual(item.run_started_at, null);
    assert.ok(projector.events.some((e) => e.type === "agenda.item_started" && e.seq === ack.seq),
      "agenda.item_started is public: the projector gets its record");
  });

  it("a command re-sent with the same id is a duplicate and changes nothing", { timeout: STEP_MS }, async () => {
    const message = { id: commandId(), type: "meeting.configure", payload: { allow_direct_entry: true } };
    const first = await consoleClient.socket.timeout(8000).emitWithAck("command", message);
    assert.equal(first.ok, true);
    const again = await consoleClient.socket.timeout(8000).emitWithAck("command", message);
    assert.deepEqual(again, { ...first, duplicate: true });
    const back = await consoleClient.run("meeting.configure", { allow_direct_entry: false });
    assert.equal(back.seq, first.seq + 1, "the duplicate took no sequence number");
    await everyone("phones to wait in the lobby again", (c) =>
      c.state.meeting.allow_direct_entry === false && c.state.seq >= back.seq);
  });

  it("two owners of the roster join by the join code and wait in the lobby", { timeout: STEP_MS }, async () => {
    const meeting = await api.get(`/meetings/${meetingId}`);
    const roster = await api.get(`/cases/${meeting.case_id}/roster`);
    const byOwner = new Map();
    for (const unit of roster.units) if (!byOwner.has(unit.owner_key)) byOwner.set(unit.owner_key, unit);
    owners = [...byOwner.values()].slice(0, 2);
    const code = consoleClient.state.meeting.join_code;
    for (const owner of owners) {
      const phone = new LiveClient({ baseUrl, meetingId, face: "phone", schemas, label: `phone ${owner.unit}`,
        auth: { join: { code, name: owner.owner, party: "owner", unit: owner.unit, command_id: commandId() } } });
      const welcome = await phone.connect();
      assert.equal(welcome.role, "phone");
      assert.equal(typeof welcome.token, "string", "the welcome of a join carries the phone's token");
      assert.equal(typeof welcome.participant_id, "number");
      assert.equal(phone.me.id, welcome.participant_id);
      assert.equal(phone.me.status, "lobby");
      assert.equal(phone.state.participants, undefined, "phones hold no list of people (§6)");
      phones.push(phone);
    }
    await consoleClient.waitFor("both in the lobby", (c) => phones.every((p) =>
      c.state.participants[String(p.me.id)]?.status === "lobby"
      && c.state.participants[String(p.me.id)].owner_key !== null));
  });

  it("a wrong join code is refused with meeting.bad_code and the tries left", { timeout: STEP_MS }, async () => {
    const right = consoleClient.state.meeting.join_code;
    const wrong = right === "999999" ? "999998" : "999999";
    const guess = new LiveClient({ baseUrl, meetingId, face: "phone", schemas, label: "guess",
      auth: { join: { code: wrong, name: "路人", party: "observer", command_id: commandId() } } });
    await assert.rejects(guess.connect(), (error) =>
      error.code === "meeting.bad_code" && Number.isInteger(error.params.left));
    guess.close();
  });

  it("the chair admits both phones, which learn it from `me`", { timeout: STEP_MS }, async () => {
    for (const phone of phones) await consoleClient.run("participant.admit", { id: phone.me.id });
    await Promise.all(phones.map((p) => p.waitFor("me: admitted", (c) => c.me.status === "admitted")));
    await projector.waitFor("both admitted on the projector", (c) =>
      phones.every((p) => c.state.participants[String(p.me.id)]?.status === "admitted"));
  });

  it("a phone proposes a plan, seen by the console alone until the chair accepts it", { timeout: STEP_MS }, async () => {
    phones[1].close();   // away meanwhile: it catches up in the next step
    const proposed = await phones[0].run("plan.propose", { title: "排水沟清淤并加装截水槽",
      description: "先疏通3幢车库排水沟，入口加装截水槽，观察一个雨季。", total: "38000" });
    assert.equal(proposed.result.key, null, "a proposal takes no letter");
    const planId = String(proposed.result.plan_id);
    await consoleClient.waitFor("the proposal", (c) => c.state.plans[planId]?.status === "proposed");
    assert.equal(consoleClient.state.plans[planId].total, 3800000, "money in fen");
    assert.equal(projector.state.plans[planId], undefined, "the projector sees accepted plans only");
    assert.equal(phones[0].state.plans[planId], undefined, "so do phones, the proposer's too");
    // §13: a plan is accepted only when its funding adds up to its total; the chair completes it.
    const early = await consoleClient.send("plan.accept", { id: Number(planId) });
    assert.equal(early.ok, false);
    assert.equal(early.error.code, "plan.funding_mismatch");
    const edited = await consoleClient.run("plan.edit", { id: Number(planId),
      funding: { maintenance_fund: "38000" }, matters: ["use_fund"], note: "维修资金列支" });
    assert.equal(edited.result.revision, 2);
    const accepted = await consoleClient.run("plan.accept", { id: Number(planId) });
    assert.equal(accepted.result.key, "D");
    await Promise.all([consoleClient, projector, phones[0]].map((c) =>
      c.waitFor("plan D", (x) => x.state.plans[planId]?.key === "D" && x.state.seq >= accepted.seq)));
  });

  it("a phone that was away reconnects with its token and catches up", { timeout: STEP_MS }, async () => {
    const phone = phones[1];
    const held = phone.state.seq;
    const welcome = await phone.reconnect();
    assert.equal(welcome.token, undefined, "a reconnect is not a join");
    assert.equal(welcome.participant_id, phone.me.id);
    assert.ok(welcome.sync.batch, "the handshake's sync answers with the missed events");
    assert.equal(welcome.sync.batch.from, held + 1);
    assert.ok(Object.values(phone.state.plans).some((p) => p.key === "D"));
    const fresh = await phone.freshSnapshot();
    assert.deepEqual(phone.state, fresh.snapshot);
  });

  it("both phones raise a hand; the chair gives the floor and ends the speech", { timeout: STEP_MS }, async () => {
    for (const phone of phones) {
      const ack = await phone.run("hand.raise", { kind: "speech", stance: "for", plan_key: "C" });
      assert.equal(ack.result.already_waiting, undefined, "a new entry (§8, hand.raise)");
      const again = await phone.run("hand.raise", { kind: "speech", stance: "against" });
      assert.deepEqual(again.result, { entry_id: ack.result.entry_id, already_waiting: true });
      assert.equal(again.seq, null, "a hand already up is no event");
    }
    const ids = phones.map((p) => p.me.id);
    await consoleEvent("queue.hand_raised", (e) => e.data.participant_id === ids[1]);
    // §6, the speakers: the waiting hands, and their order by the rules, for every role.
    await everyone("two hands in the queue", (c) => Object.keys(c.state.queue).length === 2
      && c.state.speakers.order.length === 2);
    const waiting = Object.values(consoleClient.state.queue).map((e) => e.participant_id).sort();
    assert.deepEqual(waiting, [...ids].sort());
    assert.equal(phones[0].state.speakers.stats, null, "phones get no speaking statistics");
    const next = consoleClient.state.queue[String(consoleClient.state.speakers.order[0])];
    const given = await consoleClient.run("floor.give");
    await consoleEvent("floor.given", (e) => e.seq === given.seq);
    const record = consoleClient.events.find((e) => e.seq === given.seq);
    assert.equal(record.data.speech_id, given.result.speech_id);
    assert.equal(record.data.participant_id, next.participant_id, "the first of `order` speaks");
    const speechId = String(given.result.speech_id);
    await everyone("the speech at the floor", (c) =>
      c.state.meeting.current_speech_id === given.result.speech_id
      && c.state.speeches[speechId]?.ended_at === null && Object.keys(c.state.queue).length === 1);
    assert.equal(phones[1].state.speeches[speechId].name, record.data.name,
      "phones learn the speaker's name from the speech");
    const ended = await consoleClient.run("speech.end");
    await consoleEvent("speech.ended", (e) => e.seq === ended.seq);
    await everyone("the speech's end", (c) => c.state.seq >= ended.seq
      && c.state.meeting.current_speech_id === null && c.state.speeches[speechId].ended_at !== null);
  });

  it("the chair opens a straw poll on the demo's plans; both phones vote; the chair closes it", { timeout: STEP_MS }, async () => {
    const keys = Object.values(consoleClient.state.plans)
      .filter((p) => p.status === "accepted").map((p) => p.key).sort();
    assert.deepEqual(keys, ["A", "B", "C", "D"], "the demo's three plans and the phone's");
    const created = await consoleClient.run("vote.create", { kind: "straw_poll", method: "single",
      title: "意向表决：倾向哪个方案", plans: keys });
    voteId = created.result.vote_id;
    const opened = await consoleClient.run("vote.open", { id: voteId });
    await Promise.all(phones.map((p) => p.waitFor("the open vote", (c) =>
      c.state.votes[String(voteId)]?.status === "open" && c.state.seq >= opened.seq)));
    const key = String(voteId);
    for (const phone of phones) {
      const ack = await phone.run("ballot.cast", { vote_id: voteId, choices: ["C"] });
      assert.equal(ack.result.vote_id, voteId);
      const mine = await phone.socket.timeout(8000).emitWithAck("ballots", {});
      assert.equal(mine.ok, true);
      assert.equal(mine.votes[key][0].voted, true);
    }
    // §13: live counts outside the sequence; a straw poll shows its counts after the close,
    // so only the console gets them (and who voted) while it is open.
    await consoleClient.waitFor("the console's tally of two ballots", (c) =>
      c.tallies?.votes[key]?.voted?.length === 2 && c.tallies.votes[key].tally);
    await phones[0].waitFor("the phone's tally", (c) => c.tallies?.votes[key]?.ballots === 2);
    assert.equal(phones[0].tallies.votes[key].tally, undefined, "no counts for phones yet");
    assert.equal(phones[0].tallies.votes[key].voted, undefined, "nor who voted");
    const closed = await consoleClient.run("vote.close", { id: voteId });
    assert.equal(typeof closed.result.passed, "boolean");
    await everyone("the closed vote", (c) => c.state.votes[String(voteId)]?.status === "closed");
    const result = phones[0].state.votes[String(voteId)].result;
    assert.equal(result.tally.counts.C.owners, 2, "both ballots counted for plan C");
    const expected = owners.reduce((sum, o) => sum + Math.round(Number(o.area_m2) * 100), 0);
    assert.equal(result.tally.counts.C.area, expected, "their area in hundredths of m²");
    const ballots = consoleClient.events.filter((e) => e.type === "ballot.cast");
    assert.equal(ballots.length, 2, "the console gets each ballot's record");
    assert.ok(!phones[0].events.some((e) => e.type === "ballot.cast"), "phones get none");
  });

  it("the moderator ends the meeting", { timeout: STEP_MS }, async () => {
    const ack = await consoleClient.run("meeting.end");
    await everyone("the meeting's end", (c) => c.state.meeting.status === "ended"
      && c.state.seq >= ack.seq);
    for (const client of clients()) {
      assert.equal(client.state.meeting.join_code, null);
      assert.ok(client.events.some((e) => e.type === "meeting.ended"), `${client.label} got meeting.ended`);
    }
  });

  it("the moderator finalises the minutes; everyone gets minutes.finalised", { timeout: STEP_MS }, async () => {
    const ack = await consoleClient.run("minutes.finalise", { note: "参会各方已核对" });
    assert.equal(ack.result.version, 1);
    await everyone("minutes.finalised", (c) => c.events.some((e) => e.type === "minutes.finalised"));
    finalised = consoleClient.events.find((e) => e.type === "minutes.finalised");
    assert.equal(finalised.data.content_hash, ack.result.content_hash);
    assert.equal(finalised.data.last_event_seq, ack.seq - 1);
  });

  it("the minutes are listed and downloaded through the API", { timeout: STEP_MS }, async () => {
    const listing = await api.get(`/meetings/${meetingId}/minutes`);
    assert.equal(JSON.stringify(listing).includes(finalised.data.content_hash), true,
      "the listing names the final version's hash");
    const pdf = await api.get(`/meetings/${meetingId}/minutes.pdf`, { raw: true });
    assert.equal(pdf.status, 200);
    assert.match(pdf.headers.get("content-type"), /^application\/pdf/);
    assert.equal(pdf.headers.get("x-minutes-version"), "1");
    assert.equal(pdf.headers.get("x-minutes-status"), "final");
    assert.equal(pdf.headers.get("x-content-hash"), `sha256:${finalised.data.content_hash}`);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
    const json = await api.get(`/meetings/${meetingId}/minutes.json`, { raw: true });
    assert.equal(json.status, 200);
    assert.equal(json.headers.get("x-content-hash"), `sha256:${finalised.data.content_hash}`);
    const body = await json.json();
    assert.equal(body.content_hash, `sha256:${finalised.data.content_hash}`);
    const hash = createHash("sha256").update(canonicalJson(body.minutes), "utf8").digest("hex");
    assert.equal(hash, finalised.data.content_hash, "the hash is the document's canonical JSON's (§14)");
  });

  it("every client's reduced state equals a fresh snapshot for its role", { timeout: STEP_MS }, async () => {
    const { last_seq: lastSeq } = await api.get(`/meetings/${meetingId}`);
    await everyone("the last event", (c) => c.state.seq === lastSeq);
    for (const client of clients()) {
      const fresh = await client.freshSnapshot();
      assert.deepEqual(client.state, fresh.snapshot, `${client.label}: reduced state = snapshot`);
      if (client.face === "phone") assert.deepEqual(client.me, fresh.me, `${client.label}: me`);
      assert.ok("tallies" in fresh, `${client.label}: a sync answer carries the tallies (§13)`);
    }
  });

  it("the API's snapshot is the console's state without the projector token and join key", { timeout: STEP_MS }, async () => {
    const snapshot = await api.get(`/meetings/${meetingId}/snapshot`);
    assert.equal(schemas.checkSnapshot(snapshot), null, "the API snapshot matches its schema");
    const expected = structuredClone(consoleClient.state);
    delete expected.meeting.projector_token;
    delete expected.meeting.join_key;
    assert.deepEqual(snapshot, expected);
  });

  it("every event of the meeting's log matches EventData", { timeout: STEP_MS }, async () => {
    const page = await api.get(`/meetings/${meetingId}/events?since=0&limit=1000`);
    assert.equal(page.events.length, page.last_seq);
    const errors = page.events.map((e) => schemas.checkEvent(e)).filter(Boolean);
    assert.deepEqual(errors, []);
  });

  it("the API's events applied one by one to its first snapshot give its last", { timeout: STEP_MS }, async () => {
    const page = await api.get(`/meetings/${meetingId}/events?since=${before0.seq}&limit=1000`);
    const state = structuredClone(before0);
    for (const event of page.events) applyEvent(state, event);
    const last = await api.get(`/meetings/${meetingId}/snapshot`);
    // §7, "What the log keeps": the speaking order is in no event of the API; it is read
    // from the snapshot.
    assert.ok(page.events.every((e) => e.changes.every((c) => c.c !== "speakers")));
    assert.deepEqual({ ...state, speakers: last.speakers }, last);
  });

  it("no client noticed a disagreement with the protocol on the way", () => {
    const problems = clients().flatMap((client) => client.problems);
    assert.deepEqual(problems, []);
    const checked = clients().reduce((n, client) => n + client.events.length, 0);
    assert.ok(checked > 0, "event records were checked");
  });
});
