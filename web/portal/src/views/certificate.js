import { useState } from "preact/hooks";
import { all, call } from "../api.js";
import { BackLink, html, Loading, Problem, useFocusHeading, useLoad } from "../ui.js";
import { QrCanvas } from "../qr.js";
import { PersonPicker } from "./home.js";

/** The person's current certificate: the valid one of the latest dose. */
export function current(certificates, citizenId) {
  return (
    certificates
      .filter((c) => c.citizen_id === citizenId && c.status === "valid")
      .sort((a, b) => b.dose_number - a.dose_number || b.issued_at.localeCompare(a.issued_at))[0] ??
    null
  );
}

export function Certificate({ t, people, person, choose }) {
  const heading = useFocusHeading();
  const { data, error, loading, reload } = useLoad(() => all("/certificates/me?limit=100"), []);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState(null);
  const cert = data ? current(data, person.citizen_id) : null;

  const download = async () => {
    setDownloading(true);
    setDownloadError(null);
    try {
      const response = await call("GET", `/certificates/${cert.id}.pdf`);
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `vaxflow-certificate-${cert.dose_number}.pdf`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setDownloadError(err);
    } finally {
      setDownloading(false);
    }
  };

  return html`<section class="card center" aria-labelledby="cert-h">
    <${BackLink} t=${t} />
    <h1 id="cert-h" tabindex="-1" ref=${heading}>${t("cert_title")}</h1>
    <${PersonPicker} t=${t} people=${people} person=${person} choose=${choose} />
    ${loading && html`<${Loading} t=${t} />`}
    <${Problem} t=${t} error=${error} onRetry=${reload} />
    ${data && !cert && html`<p>${t("cert_none")}</p>`}
    ${cert && html`<div class=${`certificate level-${cert.level}`} data-level=${cert.level} data-certificate=${cert.id}>
      <p class="level-band"><span class="level-dot" aria-hidden="true"></span>${t(`level_${cert.level}`)}</p>
      <p class="big"><strong>${person.full_name}</strong></p>
      <p>${t("cert_dose", { n: cert.dose_number, sd: cert.series_doses })}</p>
      <div class="qr-frame"><${QrCanvas} text=${cert.hc1} level="Q" size=${320} label=${t("cert_qr_alt")} testid="certificate-qr" /></div>
      <p class="muted small">${t("cert_issued", { date: t.date(cert.issued_at) })} · ${t("cert_expires", { date: t.date(cert.expires_at) })}</p>
      <p class="muted small uvci">${cert.uvci}</p>
      <button type="button" class="primary" onClick=${download} disabled=${downloading}>
        ${downloading ? t("downloading") : t("download_pdf")}
      </button>
      <${Problem} t=${t} error=${downloadError} />
    </div>`}
  </section>`;
}
