import { useEffect, useState } from "preact/hooks";
import { api, ApiError, get, site } from "../api.js";
import { html, Problem, useLoad } from "../ui.js";

/** A citizen's appointments; scheduling learns new people from the event stream, so wait a bit. */
export async function appointmentsOf(citizenId, { waitS = 60, onWait = () => {} } = {}) {
  const deadline = Date.now() + waitS * 1000;
  for (;;) {
    try {
      return await get(`/appointments?citizen_id=${citizenId}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 422) || Date.now() > deadline) throw error;
      onWait();
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
}

export function SiteName({ siteId }) {
  const [name, setName] = useState(null);
  useEffect(() => {
    let live = true;
    site(siteId).then((s) => live && setName(s?.name ?? null));
    return () => (live = false);
  }, [siteId]);
  return html`<span class="site-name">${name ?? "…"}</span>`;
}

export function PersonPicker({ t, people, person, choose }) {
  if (people.length < 2) return null;
  return html`<div class="field person-picker">
    <label for="person">${t("choose_person")}</label>
    <select id="person" value=${person.citizen_id} onChange=${(e) => choose(e.currentTarget.value)}>
      ${people.map((p) => html`<option value=${p.citizen_id}>${p.full_name}</option>`)}
    </select>
  </div>`;
}

function NextDose({ t, next }) {
  if (!next) return null;
  const kind = t(next.dose_kind);
  const line = next.due_from
    ? t("next_dose_from", { n: next.dose_number, kind, date: t.day(next.due_from) })
    : t("next_dose_now", { n: next.dose_number, kind });
  return html`<p class="next-dose" data-testid="next-dose">
    <strong>${t("next_dose")}:</strong> ${line}
    ${next.due_until && html` (${t("next_dose_until", { date: t.day(next.due_until) })})`}
  </p>`;
}

function AppointmentCard({ t, a, onCancel }) {
  const active = a.status === "booked";
  return html`<li class=${`appointment status-${a.status}`} data-appointment=${a.appointment_id}>
    <div class="appointment-head">
      <strong>${t.day(a.slot_start.slice(0, 10))} · ${t.time(a.slot_start)}–${t.time(a.slot_end)}</strong>
      <span class="badges">
        ${a.channel === "invitation" && html`<span class="badge invite">${t("invitation")}</span>`}
        <span class=${`badge s-${a.status}`}>${t(`status_${a.status}`)}</span>
      </span>
    </div>
    <div><${SiteName} siteId=${a.site_id} /></div>
    <div class="muted">${t("dose_n", { n: a.dose_number })} · ${t(a.dose_kind)} · ${a.product_code}</div>
    ${active && html`<div class="actions">
      <a class="button primary" href=${`#/qr/${a.appointment_id}`}>${t("show_qr")}</a>
      <a class="button secondary" href=${`#/book?change=${a.appointment_id}`}>${t("change")}</a>
      <button type="button" class="secondary danger" onClick=${() => onCancel(a)}>${t("cancel")}</button>
    </div>`}
  </li>`;
}

export function Home(props) {
  return props.person ? html`<${PersonHome} ...${props} />` : html`<${Welcome} t=${props.t} />`;
}

function Welcome({ t }) {
  {
    return html`<section class="card">
      <h1>${t("register_self")}</h1>
      <p>${t("no_people")}</p>
      <div class="actions">
        <a class="button primary" href="#/register">${t("register_self")}</a>
        <a class="button secondary" href="#/register?family=1">${t("add_family")}</a>
      </div>
    </section>`;
  }
}

function PersonHome({ t, people, person, choose }) {
  const hasSelf = people.some((p) => p.relationship === "self");
  const [waiting, setWaiting] = useState(false);
  const { data, error, loading, reload } = useLoad(
    () => appointmentsOf(person.citizen_id, { onWait: () => setWaiting(true) }),
    [person.citizen_id],
  );
  const [message, setMessage] = useState(null);
  const [cancelError, setCancelError] = useState(null);

  const cancel = async (a) => {
    if (!window.confirm(t("cancel_confirm"))) return;
    setCancelError(null);
    try {
      await api("DELETE", `/appointments/${a.appointment_id}`);
      setMessage(t("cancelled"));
      reload();
    } catch (err) {
      setCancelError(err);
    }
  };

  const items = data?.items ?? [];
  const booked = items.some((a) => a.status === "booked");
  return html`
    <section class="card" aria-labelledby="person-h">
      <${PersonPicker} t=${t} people=${people} person=${person} choose=${choose} />
      <h1 id="person-h" data-testid="person-name">${person.full_name}</h1>
      <p class="muted">${t(person.relationship || "family_member")} · ${person.national_id.masked}</p>
      <nav class="tiles" aria-label=${person.full_name}>
        <a class="tile" href="#/health">${t("health_book")}</a>
        <a class="tile" href="#/certificate">${t("certificate")}</a>
        <a class="tile" href="#/reaction">${t("report_reaction")}</a>
      </nav>
    </section>
    <section class="card" aria-labelledby="appts-h">
      <h2 id="appts-h">${t("appointments")}</h2>
      ${message && html`<p class="notice" role="status">${message}</p>`}
      <${Problem} t=${t} error=${cancelError} />
      ${loading && !data && html`<p class="loading" role="status">${t(waiting ? "waiting_registration" : "loading")}</p>`}
      <${Problem} t=${t} error=${error} onRetry=${reload} />
      ${data && html`
        <${NextDose} t=${t} next=${data.next_dose} />
        ${items.length === 0 ? html`<p data-testid="appointments">${t("no_appointments")}</p>`
          : html`<ul class="appointments" data-testid="appointments">${items.map((a) => html`<${AppointmentCard} t=${t} a=${a} onCancel=${cancel} />`)}</ul>`}
        ${!booked && html`<a class="button primary" href="#/book">${t("book")}</a>`}
      `}
    </section>
    <section class="card">
      <h2>${t("people")}</h2>
      <ul class="people">
        ${people.map((p) => html`<li>
          <button type="button" class="link" aria-pressed=${p.citizen_id === person.citizen_id ? "true" : "false"}
            onClick=${() => choose(p.citizen_id)}>${p.full_name}</button>
          <span class="muted"> · ${t(p.relationship || "family_member")}</span>
        </li>`)}
      </ul>
      <div class="actions">
        ${!hasSelf && html`<a class="button secondary" href="#/register">${t("register_self")}</a>`}
        <a class="button secondary" href="#/register?family=1">${t("add_family")}</a>
      </div>
    </section>
  `;
}

