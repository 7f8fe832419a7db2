import { useEffect, useState } from "preact/hooks";
import { get } from "../api.js";
import { BackLink, html, Loading, Problem, useFocusHeading } from "../ui.js";
import { PersonPicker, SiteName } from "./home.js";

function summary(t, e) {
  const d = e.details || {};
  const bits = [];
  if (d.dose_number) bits.push(t("dose_n", { n: d.dose_number }));
  if (d.product_code) bits.push(d.product_code);
  if (d.lot_number) bits.push(t("lot", { lot: d.lot_number }));
  if (d.slot_start) bits.push(`${t.day(d.slot_start.slice(0, 10))} ${t.time(d.slot_start)}`);
  if (d.level) bits.push(t(`level_${d.level}`));
  if (d.outcome) bits.push(t(`outcome_${d.outcome}`));
  if (Array.isArray(d.symptom_codes)) bits.push(d.symptom_codes.map(t.symptom).join(", "));
  if (Array.isArray(d.reactions) && d.reactions.length) bits.push(d.reactions.map(t.symptom).join(", "));
  return bits.join(" · ");
}

export function HealthBook({ t, people, person, choose }) {
  const heading = useFocusHeading();
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState({ loading: true, error: null });

  const load = async (from, replace) => {
    setState({ loading: true, error: null });
    try {
      const q = `citizen_id=${person.citizen_id}&limit=50${from ? `&cursor=${encodeURIComponent(from)}` : ""}`;
      const page = await get(`/citizens/me/health-book?${q}`);
      setItems((old) => (replace ? page.items : [...old, ...page.items]));
      setCursor(page.next_cursor);
      setState({ loading: false, error: null });
    } catch (error) {
      setState({ loading: false, error });
    }
  };
  useEffect(() => {
    setItems([]);
    load(null, true);
  }, [person.citizen_id]);

  // Newest first for reading; the API pages oldest first.
  const shown = [...items].reverse();
  return html`<section class="card" aria-labelledby="hb-h">
    <${BackLink} t=${t} />
    <h1 id="hb-h" tabindex="-1" ref=${heading}>${t("book_title_health")}</h1>
    <${PersonPicker} t=${t} people=${people} person=${person} choose=${choose} />
    <p class="muted">${person.full_name}</p>
    ${!state.loading && !state.error && items.length === 0 && html`<p>${t("book_empty")}</p>`}
    <ol class="timeline">
      ${shown.map((e) => html`<li class=${`entry kind-${e.kind}${e.status ? " settled" : ""}`} data-kind=${e.kind}>
        <div class="entry-head">
          <strong>${t(`kind_${e.kind}`)}</strong>
          ${e.status && html`<span class="badge">${t(`entry_status_${e.status}`)}</span>`}
        </div>
        <div class="muted small"><time datetime=${e.occurred_at}>${t.dateTime(e.occurred_at)}</time>
          ${e.details?.site_id && html` · <${SiteName} siteId=${e.details.site_id} />`}</div>
        <div>${summary(t, e)}</div>
      </li>`)}
    </ol>
    ${state.loading && html`<${Loading} t=${t} />`}
    <${Problem} t=${t} error=${state.error} onRetry=${() => load(cursor, !items.length)} />
    ${cursor && !state.loading && html`<button type="button" class="secondary" onClick=${() => load(cursor)}>${t("load_more")}</button>`}
  </section>`;
}
