// The reducer's rules of docs/protocol.md §5 and §7 on batches made up here (no server):
// batches that arrive early, late, twice or overlapping give the state the server has. The
// reducer (static/js/reducer.js) holds the state of every page and of the reference client.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Store, applyBatch, fits } from "../../static/js/reducer.js";

const meeting = (seq) => ({ c: "meeting", v: { id: 1, current_item_id: seq } });
const item = (id, title) => ({ c: "agenda", id, v: { id, title } });
const batch = (from, to, ...changes) => ({ from, to, events: [], changes });
const snapshot = () => ({ seq: 20, meeting: { id: 1, current_item_id: null }, agenda: {} });

describe("the reducer", () => {
  it("sets a single entity when the change has no id, and an entry of a collection when it has", () => {
    const state = applyBatch(snapshot(), batch(21, 21, meeting(21), item(3, "讨论"),
      { c: "speakers", v: { order: [7] } }));
    assert.deepEqual(state, { seq: 21, meeting: { id: 1, current_item_id: 21 },
      agenda: { 3: { id: 3, title: "讨论" } }, speakers: { order: [7] } });
  });

  it("drops an entity whose change is null, and a missing one without complaint", () => {
    const state = applyBatch(snapshot(), batch(21, 21, item(3, "讨论")));
    applyBatch(state, batch(22, 22, { c: "agenda", id: 3, v: null }, { c: "queue", id: 9, v: null }));
    assert.deepEqual(state.agenda, {});
    assert.equal(state.seq, 22);
  });

  it("applies a batch that fits, whole, also when it overlaps the state", () => {
    const store = new Store();
    store.onSyncAnswer({ ok: true, snapshot: snapshot() });
    assert.equal(store.onBatch(batch(21, 22, item(1, "a"))), "applied");
    assert.equal(store.onBatch(batch(22, 23, item(1, "b"))), "applied");
    assert.equal(store.state.agenda[1].title, "b");
    assert.equal(store.onBatch(batch(21, 23, item(1, "old"))), "old");
    assert.equal(store.state.agenda[1].title, "b");
  });

  it("holds a batch after a gap and applies it once the missing one arrives", () => {
    const store = new Store();
    store.onSyncAnswer({ ok: true, snapshot: snapshot() });
    assert.equal(store.onBatch(batch(23, 23, item(2, "late"))), "gap");
    assert.equal(store.state.seq, 20);
    assert.equal(store.onBatch(batch(21, 22, item(1, "first"))), "applied");
    assert.equal(store.state.seq, 23, "the held batch is drained");
    assert.deepEqual(Object.keys(store.state.agenda), ["1", "2"]);
    assert.deepEqual(store.pending, []);
  });

  it("buffers batches until the first snapshot, then keeps those it lacks", () => {
    const store = new Store();
    assert.equal(store.onBatch(batch(20, 20, item(1, "in the snapshot"))), "pending");
    assert.equal(store.onBatch(batch(21, 21, item(1, "newer"))), "pending");
    const stillGap = store.onSyncAnswer({ ok: true, snapshot: snapshot() });
    assert.equal(stillGap, false);
    assert.equal(store.state.seq, 21);
    assert.equal(store.state.agenda[1].title, "newer");
  });

  it("says a gap remains when a pending batch still does not fit after a sync", () => {
    const store = new Store();
    store.onBatch(batch(25, 25, item(1, "far")));
    assert.equal(store.onSyncAnswer({ ok: true, snapshot: snapshot() }), true);
  });

  it("applies a sync answer's batch that fits, and holds one that no longer does", () => {
    const store = new Store();
    store.onSyncAnswer({ ok: true, snapshot: snapshot() });
    assert.equal(store.onSyncAnswer({ ok: true, batch: batch(21, 22, item(1, "caught up")) }), false);
    assert.equal(store.state.seq, 22);
    // Asked at 22, answered after a live batch took the state to 24: nothing is lost or doubled.
    store.onBatch(batch(23, 24, item(1, "live")));
    assert.equal(store.onSyncAnswer({ ok: true, batch: batch(23, 23, item(1, "older")) }), false);
    assert.equal(store.state.seq, 24);
    assert.equal(store.state.agenda[1].title, "live");
    assert.equal(store.onSyncAnswer({ ok: true, batch: batch(27, 27, item(2, "beyond a gap")) }), true);
    assert.equal(store.state.seq, 24);
  });

  it("keeps a sync answer's batch that comes before any snapshot for later", () => {
    const store = new Store();
    assert.equal(store.onSyncAnswer({ ok: true, batch: batch(21, 21, item(1, "early")) }), true);
    assert.equal(store.state, null);
    assert.equal(store.onSyncAnswer({ ok: true, snapshot: snapshot() }), false);
    assert.equal(store.state.agenda[1].title, "early");
  });

  it("takes a snapshot with a lower seq than its state (the database was replaced)", () => {
    const store = new Store();
    store.onSyncAnswer({ ok: true, snapshot: { ...snapshot(), seq: 40 } });
    store.onSyncAnswer({ ok: true, snapshot: snapshot() });
    assert.equal(store.state.seq, 20);
  });

  it("fits a state from from - 1 to to - 1 (§5)", () => {
    assert.equal(fits({ seq: 20 }, batch(21, 22)), true);
    assert.equal(fits({ seq: 21 }, batch(21, 22)), true);
    assert.equal(fits({ seq: 22 }, batch(21, 22)), false);
    assert.equal(fits({ seq: 19 }, batch(21, 22)), false);
  });
});
