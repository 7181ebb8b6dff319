// The console's plan form (a dialog in templates/meetings/console.html): create a plan
// (plan.create) or amend one (plan.edit) with its funding split, checked live against the
// total with integer arithmetic (the server refuses a split that does not add up, and its
// message is shown here). votes-console.js opens it through plansConsole.open(plan).
// Empty when the page has no plan form.
import { draw, tr } from "./live.js";
import { store } from "./console.js";
import { votesUi as ui } from "./votes-common.js";

export const plansConsole = {};

(function () {
  const dialog = document.getElementById("plan-dialog");
  const form = document.getElementById("plan-form");
  if (!dialog || !form) return;
  const SOURCES = ["developer", "maintenance_fund", "property_company", "government_subsidy", "owner_levy", "other"];
  const heading = document.getElementById("plan-form-heading");
  const errorBox = document.getElementById("plan-form-error");
  const check = document.getElementById("plan-funding-check");
  const noteRow = document.getElementById("plan-note-row");
  let editing = null; // the plan being amended, or null for a new one
  // The heading comes with the page's text; drawn from here on (lit-html adds to what a box
  // holds, so it is emptied first).
  heading.replaceChildren();
  draw(heading, tr("votes.plan_form_new"));

  // "232,900.50" → 23290050 fen; "" → 0; not an amount → null (as domain/voting.py parses).
  function fen(text) {
    const value = String(text || "").replace(/,/g, "").trim();
    if (!value) return 0;
    const match = /^([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(value);
    if (!match) return null;
    return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
  }

  // fen → the exact decimal text the server accepts ("232900" or "232900.50").
  function yuanText(amount) {
    if (amount === null || amount === undefined) return "";
    const cents = amount % 100;
    return cents ? `${Math.floor(amount / 100)}.${String(cents).padStart(2, "0")}` : String(amount / 100);
  }

  function showError(message) {
    draw(errorBox, message);
    errorBox.hidden = !message;
  }

  // The funding split against the total, as the moderator types: its text, and whether it
  // adds up (the box's class).
  function fundingCheck() {
    const total = fen(form.total.value);
    const amounts = SOURCES.map((s) => fen(form.elements["fund_" + s].value));
    if (total === null || amounts.includes(null)) return { text: tr("votes.funding_bad_amount"), state: "off" };
    const sum = amounts.reduce((a, b) => a + b, 0);
    if (!form.total.value.trim() && !sum) return { text: "", state: null };
    const diff = Math.abs(total - sum);
    return {
      text: tr("votes.funding_check", { sum: ui.formatYuan(sum), total: ui.formatYuan(total) })
        + " · " + (diff ? tr("votes.funding_differs", { diff: ui.formatYuan(diff) }) : tr("votes.funding_matches")),
      state: diff ? "off" : "ok",
    };
  }

  function updateCheck() {
    const { text, state } = fundingCheck();
    draw(check, text);
    check.classList.toggle("ok", state === "ok");
    check.classList.toggle("off", state === "off");
  }

  function open(plan) {
    editing = plan || null;
    form.reset();
    showError("");
    draw(heading, plan ? tr("votes.plan_form_edit", { key: plan.key || "?" }) : tr("votes.plan_form_new"));
    noteRow.hidden = !plan;
    form.key.disabled = Boolean(plan && plan.status !== "accepted");
    if (plan) {
      form.key.value = plan.key || "";
      form.title.value = plan.title || "";
      form.description.value = plan.description || "";
      form.proposer.value = plan.proposer || "";
      form.proposer_party.value = plan.proposer_party || "";
      form.total.value = yuanText(plan.total);
      for (const s of SOURCES) form.elements["fund_" + s].value = yuanText((plan.funding || {})[s]);
      form.duration_days.value = plan.duration_days || "";
      form.risks.value = plan.risks || "";
      for (const box of form.querySelectorAll("input[name=matter]")) box.checked = (plan.matters || []).includes(box.value);
    }
    updateCheck();
    if (!dialog.open) dialog.showModal();
    (plan ? form.title : form.key).focus();
  }

  function payload() {
    const text = (name) => form.elements[name].value.trim();
    const funding = {};
    for (const s of SOURCES) if (text("fund_" + s)) funding[s] = text("fund_" + s);
    const data = {
      title: text("title"), description: text("description"), proposer: text("proposer"),
      proposer_party: form.proposer_party.value || null, total: text("total") || null, funding,
      duration_days: form.duration_days.value ? Number(form.duration_days.value) : null,
      risks: text("risks"), matters: [...form.querySelectorAll("input[name=matter]:checked")].map((b) => b.value),
    };
    if (!editing) {
      data.key = text("key") || null;
      return data;
    }
    // An amendment sends what differs from the plan, so the revision records only that.
    const plan = editing;
    const out = { id: plan.id, note: text("note") };
    if (plan.status === "accepted" && text("key") && text("key").toUpperCase() !== plan.key) out.key = text("key");
    for (const name of ["title", "description", "proposer", "risks"]) {
      if (data[name] !== (plan[name] || "")) out[name] = data[name];
    }
    if ((data.proposer_party || null) !== (plan.proposer_party || null)) out.proposer_party = data.proposer_party;
    if (fen(data.total) !== plan.total) out.total = data.total;
    const before = plan.funding || {};
    const changed = SOURCES.some((s) => (fen(funding[s]) || 0) !== (before[s] || 0));
    if (changed || "total" in out) out.funding = funding;
    if ((data.duration_days || null) !== (plan.duration_days || null) && data.duration_days) out.duration_days = data.duration_days;
    const matters = [...data.matters].sort().join();
    if (matters !== [...(plan.matters || [])].sort().join()) out.matters = data.matters;
    return out;
  }

  form.addEventListener("input", (event) => {
    if (event.target.name === "total" || (event.target.name || "").startsWith("fund_")) updateCheck();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.title.value.trim()) { showError(tr("validation.required", { field: tr("field.title") })); form.title.focus(); return; }
    const type = editing ? "plan.edit" : "plan.create";
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await store.send(type, payload());
      dialog.close();
      editing = null;
    } catch (error) {
      showError(error.message || String(error));
    } finally {
      button.disabled = false;
    }
  });

  document.getElementById("plan-cancel").addEventListener("click", () => dialog.close());

  Object.assign(plansConsole, { open, fen, yuanText });
})();
