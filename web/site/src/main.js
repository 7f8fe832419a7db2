// The site staff console (/site/): today's board, check-in, screening, the dose and observation,
// with offline capture of doses. Preact with htm (no JSX step); built by Vite into dist/.

import { render } from "preact";
import { html } from "htm/preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";

import "./site.css";
import * as db from "./db.js";
import { Outbox } from "./outbox.js";
import { Scanner } from "./scanner.js";
import { ApiError, LoginRequired, Session, Unreachable } from "./session.js";
import {
  BODY_SITES,
  CLEARED,
  OBSERVATION_MINUTES,
  OUTCOMES,
  QUESTIONS,
  REACTIONS,
  SERIOUSNESS,
  VITALS,
} from "./checklist.js";

const POLL_MS = 10_000;
const UPLOAD_EVERY_MS = 15_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// Helpers

// The sites' local time zone: the day a site's board, queue and records belong to is the day
// there (injection's VAXFLOW_INJECTION_LOCAL_TIMEZONE), whatever time zone the device's clock is set to.
const SITE_TIME_ZONE = "Asia/Ho_Chi_Minh";
const SITE_DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: SITE_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** Today at the site, as YYYY-MM-DD. */
function today() {
  return SITE_DAY.format(new Date());
}

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

function short(id) {
  return id ? id.slice(0, 8) : "";
}

function messageOf(error) {
  if (error instanceof ApiError) return error.messages.join("; ");
  return error?.message || String(error);
}

/** The token in what a QR code holds: the token itself, or a link carrying it. */
export function tokenOf(text) {
  const value = text.trim();
  const query = value.match(/[?&#]token=([^&#]+)/);
  if (query) return decodeURIComponent(query[1]);
  return value;
}

function isTyping(target) {
  const tag = target?.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target?.isContentEditable;
}

function who(person) {
  return person.name || `citizen ${short(person.citizen_id)}`;
}

// ---------------------------------------------------------------------------------------------
// Login

function Login({ session, notice }) {
  const [error, setError] = useState(notice || "");
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError("");
    try {
      await session.login(String(form.get("username")), String(form.get("password")));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main id="main" class="login">
      <h1>VaxFlow · Site console</h1>
      <form onSubmit=${submit} aria-describedby="login-error">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required autofocus />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" disabled=${busy}>Log in</button>
        <p id="login-error" class="error" role="alert">${error}</p>
      </form>
    </main>
  `;
}

// ---------------------------------------------------------------------------------------------
// Check-in

function CheckIn({ app }) {
  const [code, setCode] = useState("");
  const [citizenId, setCitizenId] = useState("");
  const [found, setFound] = useState(null);
  const [scanning, setScanning] = useState(false);
  const [busy, setBusy] = useState(false);

  const byToken = async (token) => {
    if (!token) return;
    setBusy(true);
    const done = await app.checkIn({ token });
    setBusy(false);
    if (done) setCode("");
  };

  const lookUp = async (event) => {
    event.preventDefault();
    const id = citizenId.trim();
    if (!UUID.test(id)) {
      app.say("A citizen id looks like 0b5f3f0e-2a7c-4d8e-9f61-3c2b1a0d9e8f.", "error");
      return;
    }
    setBusy(true);
    setFound(await app.lookUp(id));
    setBusy(false);
  };

  const walkIn = async () => {
    setBusy(true);
    const done = await app.checkIn({ citizen_id: found.citizen_id }, found.name);
    setBusy(false);
    if (done) {
      setFound(null);
      setCitizenId("");
    }
  };

  return html`
    <section class="panel checkin" aria-labelledby="checkin-title">
      <h2 id="checkin-title">Check in</h2>
      <form
        onSubmit=${(e) => {
          e.preventDefault();
          byToken(tokenOf(code));
        }}
      >
        <label for="checkin-code">Appointment code <kbd>c</kbd></label>
        <div class="row">
          <input
            id="checkin-code"
            value=${code}
            onInput=${(e) => setCode(e.currentTarget.value)}
            autocomplete="off"
            spellcheck="false"
            placeholder="typed or scanned"
          />
          <button type="submit" disabled=${busy || !code.trim()}>Check in</button>
          <button type="button" onClick=${() => setScanning(true)}>Scan QR <kbd>q</kbd></button>
        </div>
      </form>
      ${scanning &&
      html`<${Scanner}
        onCode=${(text) => {
          setScanning(false);
          byToken(tokenOf(text));
        }}
        onClose=${() => setScanning(false)}
      />`}
      <form onSubmit=${lookUp}>
        <label for="walkin-id">Walk-in: citizen id <kbd>w</kbd></label>
        <div class="row">
          <input
            id="walkin-id"
            value=${citizenId}
            onInput=${(e) => {
              setCitizenId(e.currentTarget.value);
              setFound(null);
            }}
            autocomplete="off"
            spellcheck="false"
          />
          <button type="submit" disabled=${busy || !citizenId.trim()}>Look up</button>
        </div>
      </form>
      ${found &&
      html`<div class="found" role="status">
        ${found.name
          ? html`<p><strong>${found.name}</strong>, born ${found.date_of_birth}</p>`
          : html`<p>${found.note}</p>`}
        <button type="button" onClick=${walkIn} disabled=${busy} ref=${(el) => el && app.focusOnce(el)}>
          Check in walk-in
        </button>
      </div>`}
    </section>
  `;
}

// ---------------------------------------------------------------------------------------------
// Screening

function Screening({ app, person }) {
  const prefs = db.prefs();
  const products = app.products;
  const [answers, setAnswers] = useState(() => Object.fromEntries(QUESTIONS.map(([k]) => [k, false])));
  const [vitals, setVitals] = useState({});
  const [product, setProduct] = useState(
    products.includes(prefs.product_code) ? prefs.product_code : (products[0] ?? ""),
  );
  const [proposal, setProposal] = useState(null);
  const [proposalNote, setProposalNote] = useState("");
  const [outcome, setOutcome] = useState("");
  const [reason, setReason] = useState("");
  const [until, setUntil] = useState("");
  const [condition, setCondition] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);

  const vitalsBody = useMemo(() => {
    const body = {};
    for (const [key] of VITALS) {
      const raw = vitals[key];
      if (raw === undefined || raw === "") continue;
      body[key] = key === "temperature_c" ? Number(raw) : Math.round(Number(raw));
    }
    return body;
  }, [vitals]);
  const vitalsComplete = VITALS.slice(0, 4).every(([key]) => vitalsBody[key] !== undefined);

  const body = useMemo(
    () => ({
      citizen_id: person.citizen_id,
      appointment_id: person.check_in?.appointment_id ?? null,
      product_code: product || null,
      answers,
      vitals: vitalsBody,
    }),
    [person.citizen_id, person.check_in?.appointment_id, product, answers, vitalsBody],
  );

  // The rules' proposal, asked again whenever the answers change (nothing is recorded). Until
  // injection has learnt of the check-in from the event stream it answers "unknown": ask again.
  useEffect(() => {
    if (!vitalsComplete) {
      setProposal(null);
      setProposalNote("Enter the vital signs to see the proposed outcome.");
      return undefined;
    }
    let cancelled = false;
    let timer = null;
    const ask = async (attempt) => {
      try {
        const answer = await app.session.call("POST", "/screenings/proposal", body);
        if (cancelled) return;
        setProposal(answer);
        setProposalNote("");
        setOutcome((current) => current || answer.proposed_outcome);
      } catch (error) {
        if (cancelled) return;
        const unknown = error instanceof ApiError && error.problem?.errors?.some((e) => e.rule === "citizen_unknown");
        if (unknown && attempt < 30) {
          setProposalNote("Waiting for the check-in to reach the screening service…");
          timer = setTimeout(() => ask(attempt + 1), 1000);
        } else {
          setProposal(null);
          setProposalNote(messageOf(error));
        }
      }
    };
    timer = setTimeout(() => ask(0), 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [body, vitalsComplete]);

  const overridden = proposal && outcome && outcome !== proposal.proposed_outcome;

  const submit = async (event) => {
    event.preventDefault();
    if (!proposal || !confirmed) return;
    const record = {
      ...body,
      outcome,
      override_reason: overridden ? reason : null,
      postponed_until: overridden && outcome === "postpone" && until ? until : null,
      postpone_condition: overridden && outcome === "postpone" && condition ? condition : null,
    };
    setBusy(true);
    setErrors([]);
    try {
      const screening = await app.session.call("POST", "/screenings", record);
      db.savePrefs({ product_code: product });
      await app.screened(person, screening);
    } catch (error) {
      setErrors(error instanceof ApiError ? error.messages : [messageOf(error)]);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <form class="work screening" onSubmit=${submit} aria-labelledby="screening-title">
      <h2 id="screening-title">Screening · #${person.check_in?.queue_number} ${who(person)}</h2>
      <fieldset>
        <legend>Checklist (tick what applies; unticked is "no")</legend>
        <ol class="questions">
          ${QUESTIONS.map(
            ([key, text], i) => html`<li>
              <label>
                <input
                  type="checkbox"
                  name=${key}
                  checked=${answers[key]}
                  ref=${i === 0 ? (el) => el && app.focusOnce(el) : undefined}
                  onChange=${(e) => setAnswers({ ...answers, [key]: e.currentTarget.checked })}
                />
                ${text}
              </label>
            </li>`,
          )}
        </ol>
      </fieldset>
      <fieldset class="vitals">
        <legend>Vital signs</legend>
        ${VITALS.map(
          ([key, label, step, min, max]) => html`<label>
            ${label}
            <input
              type="number"
              name=${key}
              step=${step}
              min=${min}
              max=${max}
              required=${key !== "spo2_percent"}
              value=${vitals[key] ?? ""}
              onInput=${(e) => setVitals({ ...vitals, [key]: e.currentTarget.value })}
            />
          </label>`,
        )}
      </fieldset>
      <label>
        Vaccine product
        <select value=${product} onChange=${(e) => setProduct(e.currentTarget.value)}>
          ${products.map((p) => html`<option value=${p}>${app.productName(p)}</option>`)}
        </select>
      </label>
      <div class="proposal" role="status" aria-live="polite">
        ${proposal
          ? html`<p>
              Proposed outcome:
              <strong data-outcome=${proposal.proposed_outcome}>${OUTCOMES[proposal.proposed_outcome]}</strong>
              ${proposal.reasons.length ? html` — ${proposal.reasons.join(", ")}` : ""}
              ${proposal.postponed_until ? html` · screen again from ${proposal.postponed_until}` : ""}
            </p>`
          : html`<p class="muted">${proposalNote}</p>`}
      </div>
      <fieldset disabled=${!proposal}>
        <legend>Doctor's decision</legend>
        <label>
          Outcome
          <select value=${outcome} onChange=${(e) => setOutcome(e.currentTarget.value)}>
            ${Object.entries(OUTCOMES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
          </select>
        </label>
        ${overridden &&
        html`<label>
          Reason for differing from the proposal
          <input required minlength="3" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
        </label>`}
        ${overridden &&
        outcome === "postpone" &&
        html`<label>
            Screen again from
            <input type="date" value=${until} onInput=${(e) => setUntil(e.currentTarget.value)} />
          </label>
          <label>
            Or the condition to wait for
            <input value=${condition} onInput=${(e) => setCondition(e.currentTarget.value)} />
          </label>`}
        <label class="confirm">
          <input type="checkbox" checked=${confirmed} onChange=${(e) => setConfirmed(e.currentTarget.checked)} />
          I am the doctor and confirm this outcome
        </label>
      </fieldset>
      <${Errors} errors=${errors} />
      <div class="row">
        <button type="submit" disabled=${busy || !proposal || !confirmed}>Confirm screening</button>
        <button type="button" onClick=${() => app.setWork(null)}>Cancel <kbd>Esc</kbd></button>
      </div>
    </form>
  `;
}

function Errors({ errors }) {
  if (!errors.length) return null;
  return html`<ul class="error" role="alert">
    ${errors.map((e) => html`<li>${e}</li>`)}
  </ul>`;
}

// ---------------------------------------------------------------------------------------------
// The dose: one short step, lot and body site remembered

function Dose({ app, person }) {
  const prefs = db.prefs();
  const product = person.screening?.product_code;
  const lots = app.usableLots.filter((lot) => !product || lot.product_code === product);
  const remembered = lots.find((lot) => lot.lot_number === prefs.lot_number);
  const [lotNumber, setLotNumber] = useState((remembered ?? lots[0])?.lot_number ?? "");
  const [bodySite, setBodySite] = useState(prefs.body_site || "left_deltoid");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const lot = lots.find((l) => l.lot_number === lotNumber);
    if (!lot) {
      setErrors(["Choose a lot from the site's stock."]);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      db.savePrefs({ lot_number: lot.lot_number, body_site: bodySite, product_code: lot.product_code });
      await app.recordDose(person, {
        citizen_id: person.citizen_id,
        product_code: lot.product_code,
        lot_number: lot.lot_number,
        body_site: bodySite,
      });
    } catch (error) {
      setErrors(error instanceof ApiError ? error.messages : [messageOf(error)]);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <form class="work dose" onSubmit=${submit} aria-labelledby="dose-title">
      <h2 id="dose-title">Dose · #${person.check_in?.queue_number} ${who(person)}</h2>
      <p class="muted">
        Screening: ${OUTCOMES[person.screening?.outcome] ?? "—"}
        ${product ? html` · ${app.productName(product)}` : ""}
      </p>
      <div class="row">
        <label>
          Lot
          <select value=${lotNumber} onChange=${(e) => setLotNumber(e.currentTarget.value)}>
            ${lots.map(
              (lot) => html`<option value=${lot.lot_number}>
                ${lot.lot_number} · ${app.productName(lot.product_code)} · ${lot.balance} left · exp ${lot.expiry_date}
              </option>`,
            )}
          </select>
        </label>
        <label>
          Body site
          <select value=${bodySite} onChange=${(e) => setBodySite(e.currentTarget.value)}>
            ${Object.entries(BODY_SITES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
          </select>
        </label>
      </div>
      <${Errors} errors=${errors} />
      <div class="row">
        <button
          type="submit"
          disabled=${busy || !lots.length}
          ref=${(el) => el && app.focusOnce(el)}
        >
          Record dose <kbd>Enter</kbd>
        </button>
        <button type="button" onClick=${() => app.setWork(null)}>Cancel <kbd>Esc</kbd></button>
      </div>
    </form>
  `;
}

// ---------------------------------------------------------------------------------------------
// Observation with reactions

function Reactions({ app, person }) {
  const [picked, setPicked] = useState({});
  const [serious, setSerious] = useState([]);
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const elapsed = Math.floor((Date.now() - Date.parse(person.dose.administered_at)) / 60000);

  const submit = async (event) => {
    event.preventDefault();
    const reactions = Object.entries(picked)
      .filter(([, r]) => r.on)
      .map(([code, r]) => ({
        code,
        severity: r.severity || "mild",
        onset_minutes: Math.max(0, Math.min(240, Number(r.onset ?? elapsed) || 0)),
      }));
    setBusy(true);
    setErrors([]);
    try {
      await app.closeObservation(person, reactions, serious);
    } catch (error) {
      setErrors(error instanceof ApiError ? error.messages : [messageOf(error)]);
    } finally {
      setBusy(false);
    }
  };

  const set = (code, change) => setPicked({ ...picked, [code]: { ...(picked[code] || {}), ...change } });

  return html`
    <form class="work reactions" onSubmit=${submit} aria-labelledby="reactions-title">
      <h2 id="reactions-title">Reactions · ${who(person)}</h2>
      <table>
        <thead>
          <tr><th>Reaction</th><th>Severity</th><th>Onset (min after dose)</th></tr>
        </thead>
        <tbody>
          ${REACTIONS.map(
            (code, i) => html`<tr>
              <td>
                <label>
                  <input
                    type="checkbox"
                    checked=${!!picked[code]?.on}
                    ref=${i === 0 ? (el) => el && app.focusOnce(el) : undefined}
                    onChange=${(e) => set(code, { on: e.currentTarget.checked })}
                  />
                  ${code.replace(/_/g, " ")}
                </label>
              </td>
              <td>
                <select
                  aria-label=${`Severity of ${code.replace(/_/g, " ")}`}
                  disabled=${!picked[code]?.on}
                  value=${picked[code]?.severity || "mild"}
                  onChange=${(e) => set(code, { severity: e.currentTarget.value })}
                >
                  <option value="mild">mild</option>
                  <option value="moderate">moderate</option>
                  <option value="severe">severe</option>
                </select>
              </td>
              <td>
                <input
                  type="number"
                  min="0"
                  max="240"
                  aria-label=${`Onset of ${code.replace(/_/g, " ")}`}
                  disabled=${!picked[code]?.on}
                  value=${picked[code]?.onset ?? elapsed}
                  onInput=${(e) => set(code, { onset: e.currentTarget.value })}
                />
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <fieldset>
        <legend>Serious because (WHO criteria; anaphylaxis and seizure count as life-threatening)</legend>
        ${SERIOUSNESS.map(
          (c) => html`<label class="inline">
            <input
              type="checkbox"
              checked=${serious.includes(c)}
              onChange=${(e) =>
                setSerious(e.currentTarget.checked ? [...serious, c] : serious.filter((s) => s !== c))}
            />
            ${c.replace(/_/g, " ")}
          </label>`,
        )}
      </fieldset>
      <${Errors} errors=${errors} />
      <div class="row">
        <button type="submit" disabled=${busy}>Close observation with these reactions</button>
        <button type="button" onClick=${() => app.setWork(null)}>Cancel <kbd>Esc</kbd></button>
      </div>
    </form>
  `;
}

// ---------------------------------------------------------------------------------------------
// The board

/**
 * Who is in screening and in observation, and the doses so far: the site's day as injection
 * knows it (every device's records) merged with what this device holds that the server does
 * not know yet (records kept offline) or knows better (the names of people it checked in).
 */
/** Someone another device checked in: the id and the queue number the server knows. */
function stranger(entry) {
  const check_in = entry.queue_number ? { queue_number: entry.queue_number } : undefined;
  return { citizen_id: entry.citizen_id, day: today(), name: "", check_in };
}

export function boardView(people, board) {
  const server = board && board.date === today() ? board : null;
  const local = new Map(people.map((p) => [p.citizen_id, p]));
  const closedHere = new Set((server?.observations_closed ?? []).map((o) => o.dose_id));
  const dosedHere = new Set((server?.doses ?? []).map((d) => d.citizen_id));
  const byNumber = (a, b) => (a.check_in?.queue_number ?? 1e9) - (b.check_in?.queue_number ?? 1e9);

  const screening = people.filter(
    (p) => (p.stage === "screening" || p.stage === "ready") && !dosedHere.has(p.citizen_id),
  );
  for (const entry of server?.screened ?? []) {
    const mine = local.get(entry.citizen_id);
    if (!entry.cleared || (mine && !["waiting", "screening"].includes(mine.stage))) continue;
    if (mine?.stage === "screening") screening.splice(screening.indexOf(mine), 1);
    screening.push({
      ...(mine ?? stranger(entry)),
      screening: {
        screening_id: entry.screening_id,
        outcome: entry.outcome,
        proposed_outcome: entry.proposed_outcome,
        product_code: entry.product_code,
      },
      stage: "ready",
      elsewhere: true,
    });
  }
  screening.sort(byNumber);

  const observing = people.filter(
    (p) => p.stage === "observation" && !(p.dose?.dose_id && closedHere.has(p.dose.dose_id)),
  );
  const watched = new Set(observing.map((p) => p.dose?.dose_id).filter(Boolean));
  for (const entry of server?.observations_open ?? []) {
    const mine = local.get(entry.citizen_id);
    // A dose this device knows of (given here, maybe still uploading, maybe closed here) is its own.
    if (watched.has(entry.dose_id) || mine?.dose) continue;
    observing.push({
      ...(mine ?? stranger(entry)),
      dose: { dose_id: entry.dose_id, administered_at: entry.started_at },
      stage: "observation",
      elsewhere: true,
    });
  }
  observing.sort((a, b) => a.dose.administered_at.localeCompare(b.dose.administered_at));

  // Doses the server counted, and this device's doses it has not received yet.
  const waitingUpload = people.filter((p) => p.dose && !p.dose.dose_id && !p.dose.refused).length;
  const doses = server
    ? server.doses_total + waitingUpload
    : people.filter((p) => p.dose && !p.dose.refused).length;
  const screenedHere = new Set((server?.screened ?? []).map((e) => e.citizen_id));
  const waiting = people.filter(
    (p) => p.stage === "waiting" && !screenedHere.has(p.citizen_id) && !dosedHere.has(p.citizen_id),
  );
  return { waiting, screening, observing, doses, fromServer: !!server };
}

function Board({ app, now }) {
  const { queue, people, stock, view } = app;
  const local = new Map(
    people.filter((p) => p.check_in?.queue_number).map((p) => [p.check_in.queue_number, p]),
  );
  const { waiting, screening, observing } = view;
  const dosesToday = view.doses;
  const onBoard = new Set((queue?.people ?? []).map((e) => e.queue_number));

  return html`
    <div class="board">
      <section class="panel queue" aria-labelledby="queue-title">
        <h2 id="queue-title">Queue</h2>
        ${queue
          ? html`<p class="summary" data-metric="waiting">
              ${queue.waiting} waiting · longest ${clock(queue.longest_wait_s)} ·
              ${` next arrival waits about ${clock(queue.expected_wait_s)}`}
            </p>`
          : html`<p class="muted">${app.online ? "Loading the queue…" : "No connection: the queue shows again when it returns."}</p>`}
        <ol class="people" tabindex="0" aria-labelledby="queue-title">
          ${(queue?.people ?? []).map((entry) => {
            const person = local.get(entry.queue_number);
            return html`<li data-queue-number=${entry.queue_number}>
              <span class="number">#${entry.queue_number}</span>
              <span class="who">${person ? who(person) : entry.method === "walk_in" ? "walk-in" : "appointment"}</span>
              <span class="wait" title="waiting">${clock(entry.waiting_s + (now - app.queueAt) / 1000)}</span>
              ${person?.stage === "waiting" && waiting.includes(person) &&
              html`<button type="button" onClick=${() => app.startScreening(person)}>
                Screen #${entry.queue_number}
              </button>`}
            </li>`;
          })}
          ${waiting
            .filter((p) => !onBoard.has(p.check_in?.queue_number))
            .map(
              (person) => html`<li class="local" data-queue-number=${person.check_in?.queue_number}>
                <span class="number">#${person.check_in?.queue_number}</span>
                <span class="who">${who(person)}</span>
                <span class="wait">${clock((now - Date.parse(person.check_in.checked_in_at)) / 1000)}</span>
                <button type="button" onClick=${() => app.startScreening(person)}>
                  Screen #${person.check_in?.queue_number}
                </button>
              </li>`,
            )}
        </ol>
      </section>

      <section class="panel screening-list" aria-labelledby="screening-list-title">
        <h2 id="screening-list-title">In screening</h2>
        <ul class="people" tabindex="0" aria-labelledby="screening-list-title">
          ${screening.map(
            (person) => html`<li data-citizen=${person.citizen_id} data-stage=${person.stage}>
              <span class="number">${person.check_in?.queue_number ? `#${person.check_in.queue_number}` : ""}</span>
              <span class="who">${who(person)}</span>
              ${person.stage === "screening"
                ? html`<button type="button" onClick=${() => app.startScreening(person)}>Continue screening</button>`
                : html`<span class="badge">${OUTCOMES[person.screening.outcome]}</span>
                    <button
                      type="button"
                      onClick=${async () => {
                        await app.adopt(person);
                        app.setWork({ kind: "dose", citizen_id: person.citizen_id });
                      }}
                    >
                      Dose for ${person.check_in?.queue_number ? `#${person.check_in.queue_number}` : who(person)}
                    </button>`}
            </li>`,
          )}
        </ul>
        ${!screening.length && html`<p class="muted">Nobody.</p>`}
      </section>

      <section class="panel observation" aria-labelledby="observation-title">
        <h2 id="observation-title">Observation (${OBSERVATION_MINUTES} min)</h2>
        <ul class="people" tabindex="0" aria-labelledby="observation-title">
          ${observing.map((person) => {
            const left = OBSERVATION_MINUTES * 60 - (now - Date.parse(person.dose.administered_at)) / 1000;
            return html`<li
              data-citizen=${person.citizen_id}
              data-here=${person.elsewhere ? undefined : ""}
              class=${left <= 0 ? "due" : ""}
            >
              ${person.check_in?.queue_number && html`<span class="number">#${person.check_in.queue_number}</span>`}
              <span class="who">${who(person)}</span>
              <span class="countdown" data-countdown>${left > 0 ? clock(left) : "done"}</span>
              ${person.dose.client_id && !person.dose.dose_id && html`<span class="badge pending">offline</span>`}
              <button type="button" onClick=${() => app.closeObservation(person, [], [])}>
                No reaction: close
              </button>
              <button
                type="button"
                onClick=${async () => {
                  await app.adopt(person);
                  app.setWork({ kind: "reactions", citizen_id: person.citizen_id });
                }}
              >
                Reactions…
              </button>
            </li>`;
          })}
        </ul>
        ${!observing.length && html`<p class="muted">Nobody.</p>`}
      </section>

      <section class="panel stats" aria-labelledby="stats-title">
        <h2 id="stats-title">Today</h2>
        <p>
          ${`Doses so far${view.fromServer ? "" : " (this device)"}: `}<strong data-metric="doses-today"
            >${dosesToday}</strong
          >
        </p>
        <table class="stock">
          <caption>Stock per lot</caption>
          <thead>
            <tr><th>Lot</th><th>Product</th><th>Left</th><th>Expires</th><th></th></tr>
          </thead>
          <tbody>
            ${(stock?.items ?? [])
              .filter((lot) => lot.lot_number)
              .sort(
                (a, b) =>
                  (a.product_code || "").localeCompare(b.product_code || "") ||
                  (a.expiry_date || "").localeCompare(b.expiry_date || ""),
              )
              .map(
                (lot) => html`<tr class=${lot.usable ? "" : "unusable"} data-lot=${lot.lot_number}>
                  <td>${lot.lot_number}</td>
                  <td>${app.productName(lot.product_code)}</td>
                  <td class="num">${lot.balance}</td>
                  <td>${lot.expiry_date}</td>
                  <td>${lot.suspended ? "suspended" : lot.expired ? "expired" : ""}</td>
                </tr>`,
              )}
          </tbody>
        </table>
      </section>
    </div>
  `;
}

// ---------------------------------------------------------------------------------------------
// The console

const KEYS = [
  ["c", "code"],
  ["w", "walk-in"],
  ["q", "scan"],
  ["s", "screen next"],
  ["d", "dose next"],
  ["o", "observation"],
  ["Esc", "cancel"],
];

// The names of injection's products (services/injection/src/vaxflow_injection/data/products.toml);
// an unknown code shows as itself.
const PRODUCT_NAMES = {
  "EU/1/20/1528": "Comirnaty (Pfizer-BioNTech)",
  "EU/1/20/1507": "Spikevax (Moderna)",
  "EU/1/21/1529": "Vaxzevria (AstraZeneca)",
  Covishield: "Covishield (Serum Institute of India)",
  "BBIBP-CorV": "Vero Cell (Sinopharm)",
  "Sputnik-V": "Sputnik V (Gamaleya)",
  Abdala: "Abdala (CIGB)",
};

function Console({ session }) {
  const [site, setSite] = useState(() => {
    try {
      const kept = JSON.parse(localStorage.getItem("vaxflow.site.site") || "null");
      return kept?.site_id === session.siteId ? kept : null;
    } catch {
      return null;
    }
  });
  const [queue, setQueue] = useState(null);
  const [queueAt, setQueueAt] = useState(Date.now());
  // The last stock seen, so that a console opened offline still offers the site's lots.
  const [stock, setStock] = useState(() => {
    try {
      const kept = JSON.parse(localStorage.getItem("vaxflow.site.stock") || "null");
      return kept?.site_id === session.siteId ? kept : null;
    } catch {
      return null;
    }
  });
  // The site's day from injection (GET /doses/board/{site}): what every device of the site
  // recorded; the last one seen is kept for opening the console without a connection.
  const [board, setBoard] = useState(() => {
    try {
      const kept = JSON.parse(localStorage.getItem("vaxflow.site.board") || "null");
      return kept?.site_id === session.siteId ? kept : null;
    } catch {
      return null;
    }
  });
  const [people, setPeople] = useState([]);
  const [pending, setPending] = useState(0);
  const [refused, setRefused] = useState([]);
  const [online, setOnline] = useState(navigator.onLine);
  const [work, setWork] = useState(null);
  const [message, setMessage] = useState(null);
  const [now, setNow] = useState(Date.now());
  const focused = useRef(new WeakSet());
  const outbox = useMemo(() => new Outbox(session, () => refreshLocal()), [session]);
  const siteId = session.siteId;

  const say = useCallback((text, kind = "info") => setMessage({ text, kind, at: Date.now() }), []);

  const refreshLocal = useCallback(async () => {
    const day = today();
    const all = await db.all("people");
    setPeople(all.filter((p) => p.day === day && p.site_id === siteId));
    const counts = await outbox.counts();
    setPending(counts.pending);
    setRefused(counts.refused);
  }, []);

  /** People of earlier days leave the device once their records are uploaded. */
  const forgetEarlierDays = async () => {
    const day = today();
    const waiting = new Set(
      (await outbox.records()).filter((r) => r.status === "pending").map((r) => r.citizen_id),
    );
    for (const person of await db.all("people")) {
      if (person.day !== day && !waiting.has(person.citizen_id)) await db.remove("people", person.citizen_id);
    }
  };

  const fetchBoard = useCallback(async () => {
    if (!siteId) return;
    try {
      const [q, s, b] = await Promise.all([
        session.call("GET", `/sites/${siteId}/queue`),
        session.call("GET", `/sites/${siteId}/stock`),
        session.call("GET", `/doses/board/${siteId}?limit=200`),
      ]);
      setQueue(q);
      setQueueAt(Date.now());
      setStock(s);
      localStorage.setItem("vaxflow.site.stock", JSON.stringify(s));
      setBoard(b);
      localStorage.setItem("vaxflow.site.board", JSON.stringify(b));
      setOnline(true);
    } catch (error) {
      if (error instanceof Unreachable) setOnline(false);
      else if (!(error instanceof LoginRequired)) say(messageOf(error), "error");
    }
  }, [siteId]);

  useEffect(() => {
    if (!siteId) return undefined;
    session
      .call("GET", `/sites/${siteId}`)
      .then((found) => {
        setSite(found);
        localStorage.setItem("vaxflow.site.site", JSON.stringify(found));
      })
      .catch(() => {});
    forgetEarlierDays().then(refreshLocal);
    outbox.prune().catch(() => {});
    fetchBoard();
    outbox.flush();
    const poll = setInterval(fetchBoard, POLL_MS);
    const upload = setInterval(() => outbox.flush(), UPLOAD_EVERY_MS);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const wentOnline = () => {
      setOnline(true);
      outbox.flush().then(fetchBoard);
    };
    const wentOffline = () => setOnline(false);
    window.addEventListener("online", wentOnline);
    window.addEventListener("offline", wentOffline);
    return () => {
      clearInterval(poll);
      clearInterval(upload);
      clearInterval(tick);
      window.removeEventListener("online", wentOnline);
      window.removeEventListener("offline", wentOffline);
    };
  }, [siteId]);

  const stockItems = stock?.items ?? [];
  const usableLots = stockItems
    .filter((lot) => lot.usable && lot.lot_number && lot.balance > 0)
    .sort((a, b) => (a.expiry_date || "").localeCompare(b.expiry_date || ""));
  const products = [...new Set(usableLots.map((lot) => lot.product_code))];

  const savePerson = async (person) => {
    await db.put("people", { ...person, site_id: siteId });
    await refreshLocal();
  };

  const view = useMemo(() => boardView(people, board), [people, board]);

  const app = {
    session,
    online,
    queue,
    queueAt,
    stock,
    people,
    view,
    usableLots,
    products,
    say,
    setWork,
    productName: (code) => PRODUCT_NAMES[code] || code || "",
    /** Focus a task's first control once when it appears (not on every render). */
    focusOnce(el) {
      if (focused.current.has(el)) return;
      focused.current.add(el);
      setTimeout(() => el.focus(), 0);
    },

    async lookUp(citizenId) {
      try {
        const citizen = await session.call(
          "GET",
          `/citizens/${citizenId}?reason=${encodeURIComponent("Walk-in check-in at the site")}`,
        );
        return {
          citizen_id: citizenId,
          name: citizen.full_name,
          date_of_birth: citizen.date_of_birth,
        };
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          return {
            citizen_id: citizenId,
            note: "The record is not visible to this site (no appointment here); check-in tells whether the citizen is registered.",
          };
        }
        say(messageOf(error), "error");
        return null;
      }
    },

    /** Check in by QR token or, for a walk-in, citizen id; true when the person is in the queue. */
    async checkIn(what, name = "") {
      try {
        const answer = await session.call("POST", "/check-ins", { site_id: siteId, ...what });
        const existing = await db.get("people", answer.citizen_id);
        await savePerson({
          ...(existing?.day === today() ? existing : {}),
          citizen_id: answer.citizen_id,
          day: today(),
          name: name || existing?.name || "",
          check_in: answer,
          stage: existing?.day === today() && existing.stage !== "waiting" ? existing.stage : "waiting",
        });
        say(`Checked in: queue number ${answer.queue_number}.`);
        fetchBoard();
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.problem?.type?.endsWith("/already-checked-in")) {
          const number = error.problem.queue_number;
          if (what.citizen_id && !(await db.get("people", what.citizen_id))) {
            await savePerson({
              citizen_id: what.citizen_id,
              day: today(),
              name,
              check_in: { queue_number: number, appointment_id: null, checked_in_at: new Date().toISOString() },
              stage: "waiting",
            });
          }
          say(`Already checked in today: queue number ${number}.`, "error");
          return true;
        }
        say(messageOf(error), "error");
        return false;
      }
    },

    /** Take over someone another device screened or dosed (kept on this device from now). */
    async adopt(person) {
      if (!people.some((p) => p.citizen_id === person.citizen_id && p.stage === person.stage)) {
        await savePerson(person);
      }
    },

    async startScreening(person) {
      if (person.stage === "waiting") await savePerson({ ...person, stage: "screening" });
      setWork({ kind: "screen", citizen_id: person.citizen_id });
    },

    async screened(person, screening) {
      const cleared = CLEARED.has(screening.outcome);
      await savePerson({
        ...person,
        screening: {
          screening_id: screening.screening_id,
          outcome: screening.outcome,
          proposed_outcome: screening.proposed_outcome,
          product_code: screening.product_code,
        },
        stage: cleared ? "ready" : "done",
      });
      say(
        cleared
          ? `Screened: ${OUTCOMES[screening.outcome]}. Ready for the dose.`
          : `Screened: ${OUTCOMES[screening.outcome]}. No dose today.`,
      );
      setWork(cleared ? { kind: "dose", citizen_id: person.citizen_id } : null);
    },

    /** Online: POST /doses. Without a connection: kept on the device, uploaded later. */
    async recordDose(person, body) {
      let dose;
      try {
        if (!navigator.onLine) throw new Unreachable("offline");
        const recorded = await session.call("POST", "/doses", body);
        dose = {
          dose_id: recorded.dose_id,
          administered_at: recorded.administered_at,
          lot_number: recorded.lot_number,
          dose_number: recorded.dose_number,
        };
        say(`Dose ${recorded.dose_number} recorded (lot ${recorded.lot_number}). Observation started.`);
      } catch (error) {
        // No connection, or the gateway without an answer from injection: the dose was given,
        // so it is kept on the device rather than lost.
        const noAnswer = error instanceof ApiError && [502, 503, 504].includes(error.status);
        if (!(error instanceof Unreachable) && !noAnswer) throw error;
        setOnline(!(error instanceof Unreachable));
        const record = await outbox.addDose(body, person.citizen_id);
        dose = {
          client_id: record.client_id,
          administered_at: record.body.captured_at,
          lot_number: body.lot_number,
        };
        say("No connection: the dose is kept on this device and will be uploaded.", "warning");
      }
      await savePerson({ ...person, dose, stage: "observation" });
      setWork(null);
      fetchBoard();
    },

    async closeObservation(person, reactions, seriousness) {
      const minutes = Math.min(240, Math.floor((Date.now() - Date.parse(person.dose.administered_at)) / 60000));
      const body = { observed_minutes: minutes, reactions, seriousness };
      let offline = !person.dose.dose_id || !navigator.onLine;
      if (!offline) {
        try {
          await session.call("POST", "/observations", { ...body, dose_id: person.dose.dose_id });
        } catch (error) {
          if (error instanceof ApiError && error.status === 409) {
            // Already closed (from another device or an earlier try).
          } else if (error instanceof Unreachable) {
            offline = true;
          } else {
            say(messageOf(error), "error");
            throw error;
          }
        }
      }
      if (offline) await outbox.addObservation(person.dose, body, person.citizen_id);
      await savePerson({
        ...person,
        stage: "done",
        observation: { closed_at: new Date().toISOString(), reactions: reactions.map((r) => r.code) },
      });
      setWork(null);
      say(reactions.length ? `Observation closed with ${reactions.length} reaction(s).` : "Observation closed: no reaction.");
      if (!offline) {
        fetchBoard();
        return;
      }
      outbox.flush();
    },
  };

  // Keyboard: c / w / q check-in, s screen next, d dose next, o first observation, Esc cancel.
  useEffect(() => {
    const onKey = (event) => {
      if (event.key === "Escape") {
        setWork(null);
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const focus = (id) => {
        event.preventDefault();
        document.getElementById(id)?.focus();
      };
      const byNumber = (a, b) => (a.check_in?.queue_number ?? 0) - (b.check_in?.queue_number ?? 0);
      if (event.key === "c") focus("checkin-code");
      else if (event.key === "w") focus("walkin-id");
      else if (event.key === "q") {
        event.preventDefault();
        document.querySelector(".checkin button[type=button]")?.click();
      } else if (event.key === "s") {
        const next = [...view.waiting].sort(byNumber)[0];
        if (next) {
          event.preventDefault();
          app.startScreening(next);
        }
      } else if (event.key === "d") {
        // The people this device screened first (its doctor's), then those of other devices.
        const ready = view.screening.filter((p) => p.stage === "ready");
        const next = ready.find((p) => !p.elsewhere) ?? ready[0];
        if (next) {
          event.preventDefault();
          app.adopt(next).then(() => setWork({ kind: "dose", citizen_id: next.citizen_id }));
        }
      } else if (event.key === "o") {
        // The first observation this device's vaccinator started, else the first of the site.
        event.preventDefault();
        const first =
          document.querySelector(".observation li[data-here] button") ??
          document.querySelector(".observation li button");
        first?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [people, view]);

  const workPerson = work && people.find((p) => p.citizen_id === work.citizen_id);
  if (work && !workPerson) setTimeout(() => setWork(null), 0);

  if (!siteId) {
    return html`<main id="main" class="login">
      <p class="error" role="alert">This console is for site staff: your login (${session.role}) has no site.</p>
      <button type="button" onClick=${() => session.logout()}>Log out</button>
    </main>`;
  }

  return html`
    <header class="top">
      <h1>${site?.name ?? "Site console"}</h1>
      <span class=${`status ${online ? "online" : "offline"}`} role="status">
        ${online ? "Online" : "Offline: recording on this device"}
      </span>
      <span class=${`pending ${pending ? "has" : ""}`} data-pending=${pending} aria-live="polite">
        ${pending} pending upload${pending === 1 ? "" : "s"}
      </span>
      ${pending > 0 && html`<button type="button" onClick=${() => outbox.flush()}>Upload now</button>`}
      ${refused.length > 0 &&
      html`<details class="refused">
        <summary>${refused.length} refused by the server</summary>
        <ul>
          ${refused.map(
            (r) => html`<li>
              ${r.kind} for citizen ${short(r.citizen_id)} (${r.created_at.slice(0, 16).replace("T", " ")}):
              ${r.problem?.detail || "refused"}
            </li>`,
          )}
        </ul>
      </details>`}
      <span class="user">${session.username} · ${session.role}</span>
      <button type="button" onClick=${() => session.logout()}>Log out</button>
    </header>
    ${message &&
    html`<p
      class=${`message ${message.kind}`}
      data-at=${message.at}
      role=${message.kind === "error" ? "alert" : "status"}
    >
      ${message.text}
    </p>`}
    <main id="main">
      <${CheckIn} app=${app} />
      ${workPerson && work.kind === "screen" && html`<${Screening} key=${workPerson.citizen_id} app=${app} person=${workPerson} />`}
      ${workPerson && work.kind === "dose" && html`<${Dose} key=${workPerson.citizen_id} app=${app} person=${workPerson} />`}
      ${workPerson && work.kind === "reactions" && html`<${Reactions} key=${workPerson.citizen_id} app=${app} person=${workPerson} />`}
      <${Board} app=${app} now=${now} />
      <p class="keys muted">
        Keys:
        ${KEYS.map(([key, what], i) => html`${i ? " · " : " "}<kbd>${key}</kbd> ${what}`)}
      </p>
    </main>
  `;
}

function App() {
  const [, setVersion] = useState(0);
  const [notice, setNotice] = useState("");
  const session = useMemo(
    () =>
      new Session((reason) => {
        setNotice(reason === "expired" ? "Your session has expired; log in again." : "");
        setVersion((v) => v + 1);
      }),
    [],
  );
  return session.loggedIn ? html`<${Console} session=${session} />` : html`<${Login} session=${session} notice=${notice} />`;
}

render(html`<${App} />`, document.getElementById("app"));

// Keep the page itself for opening without a connection (public/sw.js).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/site/sw.js", { scope: "/site/" }).catch(() => {});
}
