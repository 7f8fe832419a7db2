import { useState } from "preact/hooks";
import { requestCode, verifyCode } from "../api.js";
import { described, Field, fieldErrors, html, Problem, useFocusHeading } from "../ui.js";

export function Login({ t }) {
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const heading = useFocusHeading();
  const errors = fieldErrors(error, t);

  const ask = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await requestCode(phone.trim());
      setSent({ minutes: Math.max(1, Math.round(answer.expires_in / 60)) });
      setCode("");
      setTimeout(() => document.getElementById("code")?.focus(), 0);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const verify = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await verifyCode(phone.trim(), code.trim());
      window.location.hash = "#/";
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return html`<section class="card narrow" aria-labelledby="login-h">
    <h1 id="login-h" tabindex="-1" ref=${heading}>${t("login_title")}</h1>
    ${!sent
      ? html`<form onSubmit=${ask} novalidate>
          <p>${t("login_intro")}</p>
          <${Field} id="phone" label=${t("phone")} hint=${t("phone_hint")} error=${errors.phone}>
            <input ...${described("phone", { hint: true, error: errors.phone })} type="tel"
              inputmode="tel" autocomplete="tel" required value=${phone}
              onInput=${(e) => setPhone(e.currentTarget.value)} />
          <//>
          <${Problem} t=${t} error=${Object.keys(errors).length ? null : error} />
          <button type="submit" class="primary" disabled=${busy}>${t("send_code")}</button>
        </form>`
      : html`<form onSubmit=${verify} novalidate>
          <p role="status">${t("code_sent", { phone, minutes: sent.minutes })}</p>
          <${Field} id="code" label=${t("code")} error=${errors.code}>
            <input ...${described("code", { error: errors.code })} type="text" inputmode="numeric"
              autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required value=${code}
              onInput=${(e) => setCode(e.currentTarget.value)} />
          <//>
          <${Problem} t=${t} error=${Object.keys(errors).length ? null : error} />
          <button type="submit" class="primary" disabled=${busy}>${t("verify")}</button>
          <div class="row">
            <button type="button" class="link" onClick=${ask}>${t("resend")}</button>
            <button type="button" class="link" onClick=${() => { setSent(null); setError(null); }}>
              ${t("change_phone")}
            </button>
          </div>
        </form>`}
  </section>`;
}
