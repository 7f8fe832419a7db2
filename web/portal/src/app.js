// The portal's shell: language, login state, the person being looked at, and hash routes.
import { useEffect, useMemo, useState } from "preact/hooks";
import { all, isLoggedIn, logout, onSession } from "./api.js";
import { initialLang, saveLang, translator } from "./i18n.js";
import { html, Loading, Problem } from "./ui.js";
import { Login } from "./views/login.js";
import { Home } from "./views/home.js";
import { Register } from "./views/register.js";
import { Booking } from "./views/booking.js";
import { CheckInQr } from "./views/qr.js";
import { HealthBook } from "./views/healthbook.js";
import { Certificate } from "./views/certificate.js";
import { Reaction } from "./views/reaction.js";

const PERSON_KEY = "vaxflow.portal.person";

function parseHash() {
  const raw = window.location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  return { parts: path.split("/").filter(Boolean), params: new URLSearchParams(query) };
}

export function App() {
  const [lang, setLang] = useState(initialLang);
  const [loggedIn, setLoggedIn] = useState(isLoggedIn);
  const [route, setRoute] = useState(parseHash);
  const [people, setPeople] = useState(null);
  const [peopleError, setPeopleError] = useState(null);
  const [personId, setPersonId] = useState(() => localStorage.getItem(PERSON_KEY));
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `VaxFlow — ${t("app_title")}`;
  }, [lang]);
  useEffect(() => onSession((s) => setLoggedIn(Boolean(s))), []);
  useEffect(() => {
    const onHash = () => {
      setRoute(parseHash());
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const loadPeople = async () => {
    setPeopleError(null);
    try {
      setPeople(await all("/citizens/me/people?limit=100"));
    } catch (error) {
      setPeopleError(error);
    }
  };
  useEffect(() => {
    if (loggedIn) loadPeople();
    else setPeople(null);
  }, [loggedIn]);

  const choose = (id) => {
    setPersonId(id);
    localStorage.setItem(PERSON_KEY, id);
  };
  const person =
    people?.find((p) => p.citizen_id === personId) ??
    people?.find((p) => p.relationship === "self") ??
    people?.[0] ??
    null;

  const toggleLang = () => {
    const next = lang === "vi" ? "en" : "vi";
    saveLang(next);
    setLang(next);
  };

  let view;
  if (!loggedIn) view = html`<${Login} t=${t} />`;
  else if (peopleError) view = html`<${Problem} t=${t} error=${peopleError} onRetry=${loadPeople} />`;
  else if (!people) view = html`<${Loading} t=${t} />`;
  else {
    const props = { t, people, person, choose, params: route.params, refreshPeople: loadPeople };
    const [first, second] = route.parts;
    if (first === "register") view = html`<${Register} ...${props} />`;
    else if (!person) view = html`<${Home} ...${props} />`;
    else if (first === "book") view = html`<${Booking} ...${props} />`;
    else if (first === "qr" && second) view = html`<${CheckInQr} ...${props} appointmentId=${second} />`;
    else if (first === "health") view = html`<${HealthBook} ...${props} />`;
    else if (first === "certificate") view = html`<${Certificate} ...${props} />`;
    else if (first === "reaction") view = html`<${Reaction} ...${props} />`;
    else view = html`<${Home} ...${props} />`;
  }

  return html`
    <a class="skip" href="#main" onClick=${(e) => {
      e.preventDefault();
      document.getElementById("main")?.focus();
    }}>${lang === "en" ? "Skip to content" : "Bỏ qua đến nội dung"}</a>
    <header class="top">
      <a class="brand" href="#/">
        <span class="brand-title">${t("app_title")}</span>
        <span class="brand-sub">${t("app_sub")}</span>
      </a>
      <div class="top-actions">
        <button type="button" class="link" lang=${lang === "vi" ? "en" : "vi"}
          aria-label=${t("switch_lang_label")} onClick=${toggleLang}>${t("switch_lang")}</button>
        ${loggedIn && html`<button type="button" class="link" onClick=${() => logout()}>${t("logout")}</button>`}
      </div>
    </header>
    <main id="main" tabindex="-1">${view}</main>
  `;
}
