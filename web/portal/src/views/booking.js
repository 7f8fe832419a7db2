import { useEffect, useState } from "preact/hooks";
import { api, get, post } from "../api.js";
import { BackLink, html, Loading, Problem, useFocusHeading, useLoad } from "../ui.js";
import { appointmentsOf, SiteName } from "./home.js";

const REFRESH_MS = 20_000;

async function availability() {
  const items = [];
  let cursor = null;
  let readAt = null;
  for (let i = 0; i < 5; i++) {
    const page = await get(`/availability?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
    readAt ||= page.read_at;
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return { items, readAt };
}

let districtNames = null;

/** District names by code, from the public location API (CoWIN-compatible); codes if it fails. */
function loadDistrictNames() {
  districtNames ||= (async () => {
    const names = {};
    try {
      const { states } = await fetch("/api/v2/admin/location/states").then((r) => r.json());
      const lists = await Promise.all(
        states.map((s) =>
          fetch(`/api/v2/admin/location/districts/${s.state_id}`)
            .then((r) => r.json())
            .catch(() => ({ districts: [] })),
        ),
      );
      for (const { districts = [] } of lists) {
        for (const d of districts) names[String(d.district_id).padStart(3, "0")] = d.district_name;
      }
    } catch {
      /* codes it is */
    }
    return names;
  })();
  return districtNames;
}

export function Booking({ t, person, params }) {
  const changing = params.get("change");
  const heading = useFocusHeading();
  const mine = useLoad(() => appointmentsOf(person.citizen_id), [person.citizen_id]);
  const live = useLoad(availability, []);
  const [district, setDistrict] = useState("");
  const [day, setDay] = useState(null); // null: the first day with free places
  const [names, setNames] = useState({});
  useEffect(() => {
    loadDistrictNames().then(setNames);
  }, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    const timer = setInterval(() => !busy && live.reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [busy, live.reload]);

  const next = mine.data?.next_dose;
  const now = Date.now();
  const sessions = (live.data?.items ?? [])
    .filter((s) => !next?.product_code || s.product_code === next.product_code)
    .filter((s) => !next?.due_from || s.date >= next.due_from)
    .map((s) => ({ ...s, slots: s.slots.filter((x) => x.free > 0 && Date.parse(x.end) > now) }))
    .filter((s) => s.slots.length > 0);
  const districts = [...new Set(sessions.map((s) => s.district))].sort();
  const days = [...new Set(sessions.map((s) => s.date))].sort();
  const chosenDay = day ?? days[0] ?? "";
  const shown = sessions
    .filter((s) => !district || s.district === district)
    .filter((s) => !chosenDay || s.date === chosenDay)
    .sort((a, b) => a.date.localeCompare(b.date) || a.site_id.localeCompare(b.site_id));

  const book = async (session, slot) => {
    setBusy(true);
    setError(null);
    try {
      const place = { citizen_id: person.citizen_id, session_id: session.session_id, slot: slot.slot };
      let booked;
      if (changing) {
        // One active appointment per dose: the old one is released first, then the new place
        // taken; should that fail, the old place is taken back (while it is still free).
        const old = await get(`/appointments/${changing}`);
        await api("DELETE", `/appointments/${changing}`);
        try {
          booked = await post("/appointments", place);
        } catch (err) {
          const back = { citizen_id: old.citizen_id, session_id: old.session_id, slot: old.slot };
          err.kept = await post("/appointments", back).then(() => true, () => false);
          throw err;
        }
      } else {
        booked = await post("/appointments", place);
      }
      window.location.hash = `#/qr/${booked.appointment_id}?${changing ? "changed" : "booked"}=1`;
    } catch (err) {
      setError(err);
      setBusy(false);
      live.reload();
    }
  };

  return html`<section class="card" aria-labelledby="book-h">
    <${BackLink} t=${t} />
    <h1 id="book-h" tabindex="-1" ref=${heading}>${t(changing ? "change_title" : "book_title")}</h1>
    <p class="muted">${t("for_person", { name: person.full_name })}</p>
    ${next && html`<p class="muted">${t("next_dose")}: ${t("dose_n", { n: next.dose_number })} · ${t(next.dose_kind)}${next.product_code ? ` · ${next.product_code}` : ""}</p>`}
    <div class="filters">
      <div class="field">
        <label for="district">${t("district")}</label>
        <select id="district" value=${district} onChange=${(e) => setDistrict(e.currentTarget.value)}>
          <option value="">${t("all_districts")}</option>
          ${districts.map((d) => html`<option value=${d}>${names[d] ?? d}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="day">${t("date")}</label>
        <select id="day" value=${chosenDay} onChange=${(e) => setDay(e.currentTarget.value)}>
          <option value="">${t("any_date")}</option>
          ${days.map((d) => html`<option value=${d}>${t.day(d)}</option>`)}
        </select>
      </div>
    </div>
    <div aria-live="polite">
      ${busy && html`<p role="status">${t("booking")}</p>`}
      <${Problem} t=${t} error=${error} />
      ${error?.kept && html`<p class="notice">${t("change_failed_kept")}</p>`}
    </div>
    ${(live.loading || mine.loading) && !live.data && html`<${Loading} t=${t} />`}
    <${Problem} t=${t} error=${live.error || mine.error} onRetry=${live.reload} />
    ${live.data && html`<p class="muted small">${t("as_of", { time: t.time(live.data.readAt) })}</p>`}
    ${live.data && shown.length === 0 && html`<p>${t("no_sessions")}</p>`}
    <ul class="sessions">
      ${shown.map((s) => html`<li class="session" data-session=${s.session_id}>
        <details>
          <summary>
            <span class="session-title"><${SiteName} siteId=${s.site_id} /></span>
            <span class="muted small">${t.day(s.date)} · ${names[s.district] ?? s.district} · ${s.product_code} · ${t("min_age", { n: s.min_age })} · ${t("free_places", { n: s.free })}</span>
            <span class="chooser" aria-hidden="true">${t("pick_time")} ▾</span>
          </summary>
          <div class="slots" role="group" aria-label=${t.day(s.date)}>
            ${s.slots.map((x) => html`<button type="button" class="slot" disabled=${busy}
              data-slot=${x.slot} onClick=${() => book(s, x)}>
              <span class="slot-time">${t.time(x.start)}</span>${" "}<span class="slot-free">${t("slot_free", { n: x.free })}</span>
            </button>`)}
          </div>
        </details>
      </li>`)}
    </ul>
  </section>`;
}
