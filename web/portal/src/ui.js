// What the views share: htm bound to Preact, loading state, problem messages, form fields.
import { h } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

export const html = htm.bind(h);

export function go(hash) {
  window.location.hash = hash;
}

/** Load data once (and on `reload`); {data, error, loading, reload}. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error) => mine === seq.current && setState({ data: null, error, loading: false }),
    );
  }, deps);
  useEffect(reload, [reload]);
  return { ...state, reload };
}

/** The messages of a refused request: a title and one line per broken rule. */
export function Problem({ t, error, onRetry }) {
  if (!error) return null;
  const problem = error.problem || {};
  const title = !error.status
    ? t("offline")
    : [`problem_${error.code}`, `problem_${error.status}`].filter(t.has).map((k) => t(k))[0] ||
      problem.title ||
      t("error");
  const lines = (error.errors || []).map((e) => `${labelOf(t, e.field)}: ${message(t, e)}`);
  if (!lines.length && problem.detail) lines.push(problem.detail);
  return html`<div class="problem" role="alert">
    <p class="problem-title">${title}</p>
    ${lines.length > 0 && html`<ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>`}
    ${onRetry && html`<button type="button" class="secondary" onClick=${onRetry}>${t("retry")}</button>`}
  </div>`;
}

// API field names whose label key differs.
const LABELS = {
  onset_at: "onset",
  symptom_codes: "symptoms",
  dose_id: "which_dose",
  province_code: "province",
  ward_code: "ward",
  line: "address_line",
  health_insurance_number: "insurance",
  consent: "consent_short",
};

function labelOf(t, field) {
  const name = String(field || "").replace(/^(body|query|path)\./, "").split(".").pop();
  const label = t(LABELS[name] || name);
  return label === name ? name : label;
}

/** A broken rule in the page's language when it is a known one, else the API's message. */
function message(t, e) {
  return t.has(`rule_${e.rule}`) ? t(`rule_${e.rule}`) : e.message;
}

/** Field errors of a problem keyed by the field's name (`address.ward_code` -> `ward_code`). */
export function fieldErrors(error, t) {
  const out = {};
  for (const e of error?.errors || []) {
    const name = String(e.field || "").replace(/^body\./, "");
    const key = name.split(".").pop();
    const text = t ? message(t, e) : e.message;
    out[key] = out[key] ? `${out[key]} ${text}` : text;
  }
  return out;
}

/** A labelled form field with its hint and error, tied together for screen readers. */
export function Field({ id, label, hint, error, children }) {
  return html`<div class=${`field${error ? " invalid" : ""}`}>
    <label for=${id}>${label}</label>
    ${children}
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

/** aria attributes of an input inside Field. */
export function described(id, { hint, error } = {}) {
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  return { id, "aria-describedby": ids || undefined, "aria-invalid": error ? "true" : undefined };
}

export function Loading({ t }) {
  return html`<p class="loading" role="status">${t("loading")}</p>`;
}

export function BackLink({ t, to = "#/" }) {
  return html`<a class="back" href=${to}>← ${t("back")}</a>`;
}

/** Move focus to a view's heading when it opens (screen readers announce the new view). */
export function useFocusHeading() {
  const ref = useRef(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}
