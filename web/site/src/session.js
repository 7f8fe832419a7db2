// The staff login: tokens from identity kept in localStorage (so a tab closed and reopened, or a
// device that lost its connection, keeps its login), the access token refreshed a minute before
// it expires (refresh tokens are single use: one refresh at a time), and the API calls.

const KEY = "vaxflow.site.session";
const API = "/api/v1";
const REFRESH_MARGIN_MS = 60_000;

/** The server refused the login: log in again. */
export class LoginRequired extends Error {}

/** The server could not be reached (no connection, or the gateway is down). */
export class Unreachable extends Error {}

/** A problem+json (or other) error answer of the API. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }

  /** The message of each field error, or the detail. */
  get messages() {
    const errors = this.problem?.errors;
    if (Array.isArray(errors) && errors.length) {
      return errors.map((e) => `${e.field}: ${e.message} (${e.rule})`);
    }
    return [this.message];
  }
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function claimsOf(accessToken) {
  try {
    const payload = accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

function stored() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || "null");
    return value && value.access_token && value.refresh_token ? value : null;
  } catch {
    return null;
  }
}

function store(tokens, username) {
  const value = {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: Date.now() + tokens.expires_in * 1000,
    username,
  };
  localStorage.setItem(KEY, JSON.stringify(value));
  return value;
}

async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new Unreachable(`Cannot reach the server: ${error.message}`);
  }
}

export class Session {
  constructor(onChange) {
    this.onChange = onChange;
    this.current = stored();
    this.refreshing = null;
    this.timer = null;
    this.schedule();
  }

  get loggedIn() {
    return this.current !== null;
  }

  get username() {
    return this.current?.username ?? "";
  }

  /** The claims of the access token (read for display and the site id; the server decides). */
  get claims() {
    return this.current ? claimsOf(this.current.access_token) : {};
  }

  get siteId() {
    return this.claims.site_id ?? null;
  }

  get role() {
    return this.claims.role ?? "";
  }

  async login(username, password) {
    const response = await send(`${API}/auth/staff/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (response.status === 401) throw new ApiError(401, { detail: "Wrong username or password." });
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    this.current = store(await response.json(), username);
    this.schedule();
    this.onChange("login");
  }

  logout() {
    const refreshToken = this.current?.refresh_token;
    this.clear("logout");
    if (refreshToken) {
      fetch(`${API}/auth/logout`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: refreshToken }),
        keepalive: true,
      }).catch(() => {});
    }
  }

  clear(reason) {
    localStorage.removeItem(KEY);
    this.current = null;
    clearTimeout(this.timer);
    this.onChange(reason);
  }

  async token() {
    if (!this.current) throw new LoginRequired("Log in first.");
    if (this.current.expires_at - Date.now() < REFRESH_MARGIN_MS) await this.refresh();
    return this.current.access_token;
  }

  refresh() {
    if (!this.refreshing) {
      this.refreshing = this.rotate().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async rotate() {
    const current = this.current;
    if (!current) throw new LoginRequired("Log in first.");
    const response = await send(`${API}/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ refresh_token: current.refresh_token }),
    });
    if (response.status === 401) {
      this.clear("expired");
      throw new LoginRequired("Your session has expired; log in again.");
    }
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    this.current = store(await response.json(), current.username);
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.current) return;
    const wait = Math.max(0, this.current.expires_at - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), wait);
  }

  /** An authorised API call; a 401 refreshes the token once and tries again. */
  async call(method, path, body) {
    for (let attempt = 0; ; attempt += 1) {
      // An access token about to expire is refreshed first; offline that throws Unreachable.
      const token = await this.token();
      const response = await send(`${API}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status === 401 && attempt === 0) {
        await this.refresh();
        continue;
      }
      if (response.status === 401) {
        this.clear("expired");
        throw new LoginRequired("Your session has expired; log in again.");
      }
      if (!response.ok) throw new ApiError(response.status, await problemOf(response));
      return response.status === 204 ? null : response.json();
    }
  }
}
