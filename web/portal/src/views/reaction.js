import { useState } from "preact/hooks";
import { all, get, post } from "../api.js";
import { BackLink, described, Field, fieldErrors, html, Loading, Problem, useFocusHeading, useLoad } from "../ui.js";
import { PersonPicker } from "./home.js";

const SEVERITIES = ["mild", "moderate", "severe"];
const OUTCOMES = ["recovered", "recovering", "not_recovered", "recovered_with_sequelae", "unknown", "died"];
const SERIOUSNESS = ["life_threatening", "hospitalisation", "disability", "congenital_anomaly", "cluster", "death"];

/** The local time now as a datetime-local value. */
function localNow() {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The onset as entered (to the minute); within the dose's own minute, the dose's time. */
function onsetAfter(value, dose) {
  const onset = new Date(value);
  const given = Date.parse(dose.details?.administered_at ?? "");
  if (Number.isFinite(given) && onset.getTime() < given && given - onset.getTime() < 60_000) {
    return new Date(given).toISOString();
  }
  return onset.toISOString();
}

async function load(citizenId) {
  const [book, symptoms] = await Promise.all([
    all(`/citizens/me/health-book?citizen_id=${citizenId}&limit=100`),
    get("/aefi/symptoms"),
  ]);
  const doses = book
    .filter((e) => e.kind === "dose_administered" && e.status !== "voided")
    .reverse();
  return { doses, symptoms: symptoms.items };
}

export function Reaction({ t, people, person, choose }) {
  const heading = useFocusHeading();
  const { data, error, loading, reload } = useLoad(() => load(person.citizen_id), [person.citizen_id]);
  const [doseId, setDoseId] = useState("");
  const [onset, setOnset] = useState(localNow);
  const [symptoms, setSymptoms] = useState([]);
  const [severity, setSeverity] = useState("mild");
  const [outcome, setOutcome] = useState("recovering");
  const [seriousness, setSeriousness] = useState([]);
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [sendError, setSendError] = useState(null);
  const [done, setDone] = useState(null);
  const errors = fieldErrors(sendError, t);

  const toggle = (list, setList, value) => (e) =>
    setList(e.currentTarget.checked ? [...list, value] : list.filter((v) => v !== value));

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setSendError(null);
    try {
      const dose = data.doses.find((d) => d.ref_id === doseId) ?? data.doses[0];
      const body = {
        dose_id: dose.ref_id,
        onset_at: onsetAfter(onset, dose),
        symptom_codes: symptoms,
        severity,
        outcome,
        seriousness,
        description: description.trim() || null,
      };
      setDone(await post("/aefi", body));
    } catch (err) {
      setSendError(err);
    } finally {
      setBusy(false);
    }
  };

  const doseLabel = (e) =>
    `${t("dose_n", { n: e.details.dose_number ?? "?" })} · ${e.details.product_code ?? ""} · ${t.date(e.details.administered_at ?? e.occurred_at)}`;

  return html`<section class="card" aria-labelledby="aefi-h">
    <${BackLink} t=${t} />
    <h1 id="aefi-h" tabindex="-1" ref=${heading}>${t("reaction_title")}</h1>
    <${PersonPicker} t=${t} people=${people} person=${person} choose=${choose} />
    <p class="warning">${t("reaction_intro")}</p>
    ${loading && html`<${Loading} t=${t} />`}
    <${Problem} t=${t} error=${error} onRetry=${reload} />
    ${done && html`<p class="notice" role="status" data-aefi=${done.aefi_id}>${t("reported")}</p>`}
    ${data && data.doses.length === 0 && html`<p>${t("no_doses")}</p>`}
    ${data && data.doses.length > 0 && !done && html`<form onSubmit=${submit} novalidate>
      <${Field} id="dose_id" label=${t("which_dose")} error=${errors.dose_id}>
        <select ...${described("dose_id", { error: errors.dose_id })} value=${doseId || data.doses[0].ref_id}
          onChange=${(e) => setDoseId(e.currentTarget.value)}>
          ${data.doses.map((d) => html`<option value=${d.ref_id}>${doseLabel(d)}</option>`)}
        </select>
      <//>
      <${Field} id="onset_at" label=${t("onset")} error=${errors.onset_at}>
        <input ...${described("onset_at", { error: errors.onset_at })} type="datetime-local" value=${onset}
          onInput=${(e) => setOnset(e.currentTarget.value)} required />
      <//>
      <fieldset class=${`field${errors.symptom_codes ? " invalid" : ""}`}>
        <legend>${t("symptoms")}</legend>
        <div class="checks">
          ${data.symptoms.map((s) => html`<label class="choice">
            <input type="checkbox" value=${s.code} checked=${symptoms.includes(s.code)}
              onChange=${toggle(symptoms, setSymptoms, s.code)} /> ${t.symptom(s.code)}
          </label>`)}
        </div>
        ${errors.symptom_codes && html`<p class="field-error">${errors.symptom_codes}</p>`}
      </fieldset>
      <fieldset class="field">
        <legend>${t("severity")}</legend>
        ${SEVERITIES.map((s) => html`<label class="choice">
          <input type="radio" name="severity" value=${s} checked=${severity === s} onChange=${() => setSeverity(s)} /> ${t(`severity_${s}`)}
        </label>`)}
      </fieldset>
      <${Field} id="outcome" label=${t("outcome")} error=${errors.outcome}>
        <select ...${described("outcome", { error: errors.outcome })} value=${outcome} onChange=${(e) => setOutcome(e.currentTarget.value)}>
          ${OUTCOMES.map((o) => html`<option value=${o}>${t(`outcome_${o}`)}</option>`)}
        </select>
      <//>
      <fieldset class=${`field${errors.seriousness ? " invalid" : ""}`}>
        <legend>${t("seriousness")}</legend>
        ${SERIOUSNESS.map((s) => html`<label class="choice">
          <input type="checkbox" value=${s} checked=${seriousness.includes(s)} onChange=${toggle(seriousness, setSeriousness, s)} /> ${t(`ser_${s}`)}
        </label>`)}
        ${errors.seriousness && html`<p class="field-error">${errors.seriousness}</p>`}
      </fieldset>
      <${Field} id="description" label=${t("description")} error=${errors.description}>
        <textarea ...${described("description", { error: errors.description })} rows="3" maxlength="4000"
          value=${description} onInput=${(e) => setDescription(e.currentTarget.value)}></textarea>
      <//>
      <${Problem} t=${t} error=${sendError} />
      <button type="submit" class="primary" disabled=${busy}>${t("send_report")}</button>
    </form>`}
  </section>`;
}
