// The reducer of docs/protocol.md §5 and §7: a snapshot, batches applied to it in order, and
// the pending list that holds batches arriving early (before the state, during a sync, or
// after a gap). Pure data: no socket and no page here, so the same code holds the state of
// every page (static/js/live.js) and of the reference client (clients/js), and reduces a live
// connection's batches as well as the REST API's events. Tested with node's test runner
// (node --test static/js/).

// §7: `c` names a single entity (a change without `id`: `meeting`, `case`, …) or a
// collection keyed by the id's string form (a change with `id`).
export function applyChanges(state, changes) {
  for (const change of changes) {
    const { c, v } = change;
    if (!("id" in change)) {
      state[c] = v;
    } else if (v === null) {
      if (state[c]) delete state[c][String(change.id)];
    } else {
      if (!state[c]) state[c] = {};
      state[c][String(change.id)] = v;
    }
  }
}

// §5: a batch fits a state at `s` when from ≤ s + 1 and to > s.
export function fits(state, batch) {
  return batch.from <= state.seq + 1 && batch.to > state.seq;
}

export function applyBatch(state, batch) {
  if (!(batch.from - 1 <= state.seq && state.seq <= batch.to)) {
    throw new Error(`batch ${batch.from}..${batch.to} does not fit a state at ${state.seq}`);
  }
  applyChanges(state, batch.changes);
  state.seq = batch.to;
  return state;
}

// The REST API's single events apply as batches with from = to = seq (§7, `apply_event`).
export function applyEvent(state, event) {
  return applyBatch(state, { from: event.seq, to: event.seq, changes: event.changes });
}

// The client side of §5: `state` (null until the first snapshot) and the pending batches.
export class Store {
  constructor() {
    this.state = null;
    this.pending = [];
    this.syncing = false;
  }

  // A `sync` answer (or the `sync` of a welcome): a snapshot always replaces the state; a
  // batch is applied; null means up to date. Then the pending list is drained. Returns true
  // when batches are still pending (a gap remains: the caller syncs again).
  onSyncAnswer(answer) {
    if (answer.snapshot) {
      this.state = structuredClone(answer.snapshot);
    }
    if (answer.batch) {
      // Applied when it fits, like any batch; one that does not (the state moved on while
      // the answer travelled) waits with the others.
      this.pending.push(answer.batch);
    }
    this.syncing = false;
    return this.drain();
  }

  // A broadcast batch. Returns "applied", "pending", "old" or "gap" (the caller syncs).
  onBatch(batch) {
    if (this.state === null || this.syncing) {
      this.pending.push(batch);
      return "pending";
    }
    if (batch.to <= this.state.seq) return "old";
    if (fits(this.state, batch)) {
      applyBatch(this.state, batch);
      this.drain();
      return "applied";
    }
    this.pending.push(batch);
    return "gap";
  }

  drain() {
    if (this.state === null) return this.pending.length > 0;
    for (;;) {
      this.pending.sort((a, b) => a.from - b.from);
      this.pending = this.pending.filter((b) => b.to > this.state.seq);
      const next = this.pending.find((b) => fits(this.state, b));
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      applyBatch(this.state, next);
    }
    return this.pending.length > 0;
  }
}
