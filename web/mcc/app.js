// The response centre's dashboard (/mcc/): log in, then the live picture from the dashboard
// stream. Rendering is cheap however busy the campaign is:
//   - the stream hands over raw summaries; only the latest is kept until the next animation
//     frame, which parses it once and renders once (never more than one render per frame);
//   - the summary is cut into parts (numbers, hours, areas, sites, lag, alerts...); a part whose
//     content did not change keeps its previous object, and every section skips rendering when
//     its part is the same object, so only what changed is touched.

import { Component, createRef, h, render } from "./vendor/preact.mjs";
import htm from "./vendor/htm.mjs";
import { ConsumerLag, DosesPerHour } from "./charts.js";
import { LiveStream } from "./live.js";
import { ApiError, LoginRequired, Session } from "./session.js";

const html = htm.bind(h);
const TZ = "Asia/Ho_Chi_Minh";
const BUSIEST_SITES = 10;
const LAG_POINTS = 600;
const ACKNOWLEDGED_SHOWN = 20;

// Counters the page tests read: messages received, frames rendered, renders of each section.
const stats = { messages: 0, parses: 0, frames: 0, renders: {} };
window.mccStats = stats;

// ---- formatting ---------------------------------------------------------------------------

const numbers = new Intl.NumberFormat("en-US");
const n = (value) => (value === null || value === undefined ? "–" : numbers.format(value));
const pct = (ratio) => (ratio === null || ratio === undefined ? "–" : `${(ratio * 100).toFixed(1)}%`);
const seconds = (value) => (value === null || value === undefined ? "–" : `${Number(value).toFixed(1)} s`);

function wait(totalSeconds) {
  if (!totalSeconds) return "–";
  const minutes = Math.floor(totalSeconds / 60);
  return minutes ? `${minutes} min ${Math.round(totalSeconds % 60)} s` : `${Math.round(totalSeconds)} s`;
}

function clock(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString("en-GB", { timeZone: TZ });
}

const RULES = {
  crowding: "Crowding",
  stock_low: "Stock low",
  lot_signal: "Lot signal",
  pipeline_lag: "Pipeline lag",
  dead_letters: "Dead letters",
};

// ---- state --------------------------------------------------------------------------------

const state = {
  view: "login", // login | dashboard
  notice: "", // why the login form is shown again
  loginError: "",
  loginBusy: false,
  status: { state: "connecting", message: "" },
  parts: null, // the summary cut into parts, see cut()
  lag: { times: [], groups: {} },
  acknowledging: {}, // alert_id -> true while the POST is in flight
  acknowledged: {}, // alert_id -> the acknowledged alert, until the stream shows it
  alertError: "",
};

let pendingSummary = null;
let frameRequested = false;

function update(patch) {
  Object.assign(state, patch);
  requestFrame();
}

function requestFrame() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(frame);
}

function frame() {
  frameRequested = false;
  if (pendingSummary !== null) {
    const text = pendingSummary;
    pendingSummary = null;
    absorb(text);
  }
  stats.frames += 1;
  render(html`<${App} ...${state} />`, document.getElementById("app"));
}

function onSummary(text) {
  stats.messages += 1;
  pendingSummary = text; // an older one not yet drawn is simply replaced
  requestFrame();
}

/** Parse a summary and keep every unchanged part as the same object as before. */
function absorb(text) {
  let summary;
  try {
    summary = JSON.parse(text);
  } catch {
    return;
  }
  stats.parses += 1;
  const next = cut(summary);
  const previous = state.parts;
  const keys = {};
  if (previous) {
    for (const [name, part] of Object.entries(next)) {
      const key = JSON.stringify(part);
      if (previous.keys[name] === key) next[name] = previous[name];
      keys[name] = key;
    }
  } else {
    for (const [name, part] of Object.entries(next)) keys[name] = JSON.stringify(part);
  }
  Object.defineProperty(next, "keys", { value: keys, enumerable: false });
  if (next.lag !== previous?.lag || !previous) recordLag(summary);
  // Acknowledgements the stream now shows need no local copy any more.
  const settled = next.alerts.filter((alert) => alert.status !== "open" && state.acknowledged[alert.alert_id]);
  if (settled.length) {
    const acknowledged = { ...state.acknowledged };
    for (const alert of settled) delete acknowledged[alert.alert_id];
    state.acknowledged = acknowledged;
  }
  state.parts = next;
}

function cut(summary) {
  const doses = summary.doses ?? {};
  const areas = doses.by_area ?? [];
  const aefi = summary.aefi ?? {};
  return {
    header: { as_of: summary.as_of, date: summary.date },
    numbers: {
      doses_today: doses.today,
      doses_total: doses.total,
      coverage: summary.coverage ?? [],
      appointments: summary.appointments ?? {},
      waiting: areas.reduce((sum, area) => sum + (area.waiting ?? 0), 0),
      aefi: {
        reported_today: aefi.reported_today,
        serious_today: aefi.serious_today,
        open_cases: aefi.open_cases,
      },
      certificates: summary.certificates ?? {},
    },
    hours: doses.by_hour ?? [],
    areas,
    sites: (summary.sites ?? []).slice(0, BUSIEST_SITES),
    signals: aefi.open_signals ?? [],
    lag: summary.pipeline?.consumer_lag ?? [],
    deadLetters: summary.pipeline?.dead_letters ?? [],
    alerts: summary.alerts ?? [],
  };
}

function recordLag(summary) {
  const time = Date.parse(summary.as_of) / 1000 || Date.now() / 1000;
  const lag = summary.pipeline?.consumer_lag ?? [];
  const { times, groups } = state.lag;
  if (times.length && time <= times.at(-1)) return;
  const nextGroups = {};
  for (const name of new Set([...Object.keys(groups), ...lag.map((row) => row.group)])) {
    const past = groups[name] ?? times.map(() => null);
    nextGroups[name] = [...past, lag.find((row) => row.group === name)?.lag ?? null].slice(-LAG_POINTS);
  }
  state.lag = { times: [...times, time].slice(-LAG_POINTS), groups: nextGroups };
}

// ---- the session and the stream -----------------------------------------------------------

const session = new Session((reason) => {
  if (reason === "login") return;
  stream.stop();
  const notice =
    reason === "expired" ? "Your session has expired; log in again." : reason === "logout" ? "You are logged out." : "";
  update({ view: "login", notice, parts: null, lag: { times: [], groups: {} } });
});

const stream = new LiveStream(session, {
  onSummary,
  onStatus: (status) => update({ status }),
});

function showDashboard() {
  update({ view: "dashboard", notice: "", loginError: "", status: { state: "connecting", message: "" } });
  stream.start();
}

async function logIn(username, password) {
  update({ loginBusy: true, loginError: "" });
  try {
    await session.login(username, password);
    update({ loginBusy: false });
    showDashboard();
  } catch (error) {
    const message = error instanceof ApiError ? error.message : `Cannot reach the server: ${error.message}`;
    update({ loginBusy: false, loginError: message });
  }
}

async function acknowledge(alert) {
  update({ acknowledging: { ...state.acknowledging, [alert.alert_id]: true }, alertError: "" });
  try {
    const done = await session.call("POST", `/alerts/${encodeURIComponent(alert.alert_id)}/acknowledge`, {});
    update({ acknowledged: { ...state.acknowledged, [alert.alert_id]: done } });
    // The button is gone: keep keyboard focus in the alert list.
    document.getElementById("alerts-title")?.focus();
  } catch (error) {
    if (!(error instanceof LoginRequired)) {
      update({ alertError: `Could not acknowledge the ${RULES[alert.rule] ?? alert.rule} alert: ${error.message}` });
    }
  } finally {
    const acknowledging = { ...state.acknowledging };
    delete acknowledging[alert.alert_id];
    update({ acknowledging });
  }
}

// ---- components ---------------------------------------------------------------------------

/** A section that renders only when one of its props is a different object than before. */
class Section extends Component {
  shouldComponentUpdate(next) {
    for (const key of new Set([...Object.keys(next), ...Object.keys(this.props)])) {
      if (next[key] !== this.props[key]) return true;
    }
    return false;
  }

  render(props) {
    stats.renders[this.constructor.part] = (stats.renders[this.constructor.part] ?? 0) + 1;
    return this.draw(props);
  }
}

class LoginForm extends Component {
  submit = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    logIn(form.username.value.trim(), form.password.value);
  };

  username = createRef();

  componentDidMount() {
    this.username.current?.focus();
  }

  render({ notice, loginError, loginBusy }) {
    return html`
      <main class="login" id="main">
        <h1>VaxFlow response centre</h1>
        <p>Log in with your staff account to watch the campaign live.</p>
        ${notice && html`<p class="notice" role="status">${notice}</p>`}
        <form method="post" action="#" onSubmit=${this.submit} aria-describedby="login-error">
          <label for="username">Username</label>
          <input id="username" name="username" ref=${this.username} autocomplete="username" required autocapitalize="off" spellcheck="false" />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit" disabled=${loginBusy}>${loginBusy ? "Logging in…" : "Log in"}</button>
          <p id="login-error" class="error" role="alert">${loginError}</p>
        </form>
      </main>
    `;
  }
}

class Header extends Section {
  static part = "header";

  draw({ header, status }) {
    const live = status.state === "live";
    const label = { live: "Live", connecting: "Connecting…", offline: "Offline", refused: "Not allowed" }[status.state];
    return html`
      <header class="top">
        <h1>Response centre</h1>
        <p class="status ${status.state}" role="status">
          <span class="dot" aria-hidden="true"></span>${label}
          ${header && html` · ${header.date} · updated <time datetime=${header.as_of}>${clock(header.as_of)}</time>`}
        </p>
        <p class="who">${session.username}
          <button type="button" class="quiet" onClick=${() => session.logout()}>Log out</button>
        </p>
        ${!live && status.message && html`<p class="error banner" role="alert">${status.message}</p>`}
      </header>
    `;
  }
}

function Tile({ label, value, metric, children }) {
  return html`
    <div class="tile">
      <dt>${label}</dt>
      <dd><span class="big" data-metric=${metric}>${value}</span>${children}</dd>
    </div>
  `;
}

class Numbers extends Section {
  static part = "numbers";

  draw({ numbers: x }) {
    const a = x.appointments;
    const c = x.certificates;
    return html`
      <section aria-labelledby="numbers-title">
        <h2 id="numbers-title">Today</h2>
        <dl class="tiles">
          <${Tile} label="Doses today" value=${n(x.doses_today)} metric="doses-today" />
          <${Tile} label="Doses in total" value=${n(x.doses_total)} metric="doses-total" />
          <${Tile} label="Appointments" value=${`${n(a.booked_today)} / ${n(a.capacity_today)}`} metric="appointments">
            <progress max=${a.capacity_today || 1} value=${a.booked_today || 0} aria-label="Booked of capacity"></progress>
            <small>booked of capacity · ${n(a.checked_in_today)} checked in</small>
          <//>
          <${Tile} label="Waiting now" value=${n(x.waiting)} metric="waiting"><small>checked in, not yet vaccinated</small><//>
          <${Tile} label="Adverse events today" value=${n(x.aefi.reported_today)} metric="aefi-today">
            <small>${n(x.aefi.serious_today)} serious · ${n(x.aefi.open_cases)} open cases</small>
          <//>
          <${Tile} label="Certificates today" value=${n(c.issued_today)} metric="certificates-today">
            <small>lag p50 ${seconds(c.lag_p50_s)} · p95 ${seconds(c.lag_p95_s)} · p99 ${seconds(c.lag_p99_s)}</small>
          <//>
        </dl>
        <h3>Coverage</h3>
        ${x.coverage.length === 0
          ? html`<p class="empty">No campaign yet.</p>`
          : html`<ul class="coverage">
              ${x.coverage.map(
                (row) => html`<li key=${row.campaign_id}>
                  <span lang="vi">${row.name}</span>
                  <progress max="1" value=${Math.min(1, row.ratio || 0)} aria-label=${`Coverage of ${row.name}`}></progress>
                  <strong data-metric="coverage">${pct(row.ratio)}</strong>
                  <small>${n(row.doses)} of ${n(row.target)}</small>
                </li>`,
              )}
            </ul>`}
      </section>
    `;
  }
}

class HoursChart extends Section {
  static part = "hours";

  draw({ hours }) {
    return html`<${DosesPerHour} id="hours" title="Doses per hour today" data=${hours} />`;
  }
}

class LagChart extends Section {
  static part = "lag";

  draw({ lag, deadLetters }) {
    const dead = deadLetters.filter((row) => row.count > 0);
    return html`
      <div>
        <${ConsumerLag} id="lag" title="Consumer lag" data=${lag} />
        <p class=${dead.length ? "error" : "empty"} data-metric="dead-letters">
          ${dead.length
            ? `Dead letters: ${dead.map((row) => `${row.topic} ${n(row.count)}`).join(", ")}`
            : "No dead letters."}
        </p>
      </div>
    `;
  }
}

class Areas extends Section {
  static part = "areas";

  draw({ areas }) {
    return html`
      <section aria-labelledby="areas-title">
        <h2 id="areas-title">By district</h2>
        ${areas.length === 0
          ? html`<p class="empty">No activity yet.</p>`
          : html`<table class="data">
              <thead>
                <tr><th scope="col">District</th><th scope="col">Doses today</th><th scope="col">Doses in total</th>
                  <th scope="col">Waiting</th><th scope="col">Sites</th></tr>
              </thead>
              <tbody>
                ${areas.map(
                  (row) => html`<tr key=${`${row.province_code}-${row.district_code}`}>
                    <th scope="row" lang="vi">${row.district_name || row.district_code || html`<i lang="en">Unknown district</i>`}</th>
                    <td>${n(row.doses_today)}</td><td>${n(row.doses_total)}</td>
                    <td>${n(row.waiting)}</td><td>${n(row.sites)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      </section>
    `;
  }
}

class Sites extends Section {
  static part = "sites";

  draw({ sites, areas }) {
    const districts = Object.fromEntries(areas.map((row) => [row.district_code, row.district_name]));
    return html`
      <section aria-labelledby="sites-title">
        <h2 id="sites-title">Busiest sites</h2>
        ${sites.length === 0
          ? html`<p class="empty">No site reports yet.</p>`
          : html`<table class="data">
              <thead>
                <tr><th scope="col">Site</th><th scope="col">District</th><th scope="col">Waiting</th>
                  <th scope="col">Longest wait</th><th scope="col">Doses today</th><th scope="col">Days of supply</th></tr>
              </thead>
              <tbody>
                ${sites.map(
                  (row) => html`<tr key=${row.site_id} data-site=${row.site_id}>
                    <th scope="row" lang="vi">${row.name || row.site_id}</th>
                    <td lang="vi">${districts[row.district_code] || row.district_code || "–"}</td>
                    <td>${n(row.waiting)}</td><td>${wait(row.longest_wait_s)}</td><td>${n(row.doses_today)}</td>
                    <td class=${row.days_of_supply !== null && row.days_of_supply < 2 ? "warn" : ""}>
                      ${row.days_of_supply === null || row.days_of_supply === undefined ? "–" : row.days_of_supply.toFixed(1)}
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      </section>
    `;
  }
}

class Signals extends Section {
  static part = "signals";

  draw({ signals }) {
    return html`
      <section aria-labelledby="signals-title">
        <h2 id="signals-title">Open lot signals</h2>
        ${signals.length === 0
          ? html`<p class="empty">None.</p>`
          : html`<ul class="signals">
              ${signals.map(
                (row) => html`<li key=${`${row.lot_id}-${row.rule}`}>
                  Lot <strong>${row.lot_number || row.lot_id}</strong>: ${row.rule}, raised ${clock(row.raised_at)}
                </li>`,
              )}
            </ul>`}
      </section>
    `;
  }
}

class Alerts extends Section {
  static part = "alerts";

  draw({ alerts, acknowledging, acknowledged, alertError }) {
    // Open alerts first (newest first, as the server orders them), then the latest acknowledged.
    const current = alerts.map((alert) => acknowledged[alert.alert_id] ?? alert);
    const openAlerts = current.filter((alert) => alert.status === "open");
    const done = current.filter((alert) => alert.status !== "open");
    const shown = [...openAlerts, ...done.slice(0, ACKNOWLEDGED_SHOWN)];
    const hidden = done.length - Math.min(done.length, ACKNOWLEDGED_SHOWN);
    const open = openAlerts.length;
    return html`
      <section aria-labelledby="alerts-title" class="alerts">
        <h2 id="alerts-title" tabindex="-1">Alerts <span class="count" aria-live="polite">${open} open</span></h2>
        ${alertError && html`<p class="error" role="alert">${alertError}</p>`}
        ${shown.length === 0
          ? html`<p class="empty">No alerts.</p>`
          : html`<ul>
              ${shown.map((alert) => {
                const rule = RULES[alert.rule] ?? alert.rule;
                const busy = Boolean(acknowledging[alert.alert_id]);
                return html`<li key=${alert.alert_id} class="alert ${alert.status}" data-alert=${alert.alert_id}
                    data-rule=${alert.rule} data-subject=${alert.subject} data-status=${alert.status}>
                  <p class="what"><strong>${rule}</strong> · <span lang="vi">${alert.subject_name || alert.subject}</span></p>
                  <p>${alert.message}</p>
                  <p class="when">
                    Opened <time datetime=${alert.opened_at}>${clock(alert.opened_at)}</time>
                    ${alert.status === "acknowledged" &&
                    html` · acknowledged${alert.acknowledged_by ? ` by ${alert.acknowledged_by}` : ""}
                      ${alert.acknowledged_at && html` at <time datetime=${alert.acknowledged_at}>${clock(alert.acknowledged_at)}</time>`}`}
                  </p>
                  ${alert.status === "open" &&
                  html`<button type="button" disabled=${busy} onClick=${() => acknowledge(alert)}
                      aria-label=${`Acknowledge the ${rule.toLowerCase()} alert at ${alert.subject_name || alert.subject}`}>
                      ${busy ? "Acknowledging…" : "Acknowledge"}
                    </button>`}
                </li>`;
              })}
            </ul>`}
        ${hidden > 0 && html`<p class="empty">${n(hidden)} older acknowledged alerts not shown.</p>`}
      </section>
    `;
  }
}

function Dashboard(props) {
  const parts = props.parts;
  return html`
    <${Header} header=${parts?.header} status=${props.status} />
    <main id="main">
      ${parts === null
        ? html`<p class="empty" role="status">Waiting for the live picture…</p>`
        : html`
            <div class="layout">
              <div class="main-column">
                <${Numbers} numbers=${parts.numbers} />
                <section aria-labelledby="charts-title" class="charts">
                  <h2 id="charts-title">Trends</h2>
                  <${HoursChart} hours=${parts.hours} />
                  <${LagChart} lag=${props.lag} deadLetters=${parts.deadLetters} />
                </section>
                <${Areas} areas=${parts.areas} />
                <${Sites} sites=${parts.sites} areas=${parts.areas} />
              </div>
              <div class="side-column">
                <${Alerts} alerts=${parts.alerts} acknowledging=${props.acknowledging}
                  acknowledged=${props.acknowledged} alertError=${props.alertError} />
                <${Signals} signals=${parts.signals} />
              </div>
            </div>
          `}
    </main>
  `;
}

function App(props) {
  return props.view === "login" ? html`<${LoginForm} ...${props} />` : html`<${Dashboard} ...${props} />`;
}

// ---- start --------------------------------------------------------------------------------

if (session.loggedIn) showDashboard();
else requestFrame();
