import { get } from "../api.js";
import { BackLink, html, Loading, Problem, useFocusHeading, useLoad } from "../ui.js";
import { QrCanvas } from "../qr.js";
import { SiteName } from "./home.js";

export function CheckInQr({ t, appointmentId, params }) {
  const heading = useFocusHeading();
  const { data: a, error, loading, reload } = useLoad(
    () => get(`/appointments/${appointmentId}`),
    [appointmentId],
  );
  const note = params.has("booked") ? t("booked") : params.has("changed") ? t("changed") : null;
  return html`<section class="card center" aria-labelledby="qr-h">
    <${BackLink} t=${t} />
    <h1 id="qr-h" tabindex="-1" ref=${heading}>${t("qr_title")}</h1>
    ${note && html`<p class="notice" role="status">${note}</p>`}
    ${loading && html`<${Loading} t=${t} />`}
    <${Problem} t=${t} error=${error} onRetry=${reload} />
    ${a && html`
      <p class="big"><strong>${t.day(a.slot_start.slice(0, 10))} · ${t.time(a.slot_start)}–${t.time(a.slot_end)}</strong></p>
      <p><${SiteName} siteId=${a.site_id} /></p>
      <p class="muted">${t("dose_n", { n: a.dose_number })} · ${t(a.dose_kind)} · ${a.product_code} · ${t(`status_${a.status}`)}</p>
      <div class="qr-frame"><${QrCanvas} text=${a.check_in_token} label=${t("qr_alt")} testid="check-in-qr" /></div>
      <p>${t("qr_help")}</p>
      <p class="muted small">${t("check_in_code")}:</p>
      <p class="token" data-testid="check-in-token">${a.check_in_token}</p>
    `}
  </section>`;
}
