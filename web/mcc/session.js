// The operator's login: tokens from identity kept in this tab's sessionStorage, the access token
// refreshed a minute before it expires (refresh tokens are single use: one refresh at a time),
// and the API calls the page makes with it.

const KEY = "vaxflow.mcc.session";
const API = "/api/v1";
// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS = 60_000;

/** A call the server refused because the login is no longer valid: log in again. */
export class LoginRequired extends Error {}

/** A problem+json (or other) error answer of the API. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
}

export async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function stored() {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) || "null");
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
  sessionStorage.setItem(KEY, JSON.stringify(value));
  return value;
}

/** The roles in the access token's claims (read for display only; the server decides). */
function rolesOf(accessToken) {
  try {
    const payload = accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(payload));
    return Array.isArray(claims.roles) ? claims.roles : claims.role ? [claims.role] : [];
  } catch {
    return [];
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

  get roles() {
    return this.current ? rolesOf(this.current.access_token) : [];
  }

  async login(username, password) {
    const response = await fetch(`${API}/auth/staff/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) {
      const problem = await problemOf(response);
      if (response.status === 401) {
        throw new ApiError(401, { detail: "Wrong username or password." });
      }
      throw new ApiError(response.status, problem);
    }
    this.current = store(await response.json(), username);
    this.schedule();
    this.onChange("login");
  }

  /** Forget the login (and revoke it at identity, best effort). */
  logout(reason = "logout") {
    const refreshToken = this.current?.refresh_token;
    this.clear(reason);
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
    sessionStorage.removeItem(KEY);
    this.current = null;
    clearTimeout(this.timer);
    this.onChange(reason);
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async token() {
    if (!this.current) throw new LoginRequired("Log in to see the dashboard.");
    if (this.current.expires_at - Date.now() < REFRESH_MARGIN_MS) await this.refresh();
    return this.current.access_token;
  }

  /** Rotate the refresh token once, however many callers ask at the same time. */
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
    if (!current) throw new LoginRequired("Log in to see the dashboard.");
    let response;
    try {
      response = await fetch(`${API}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: current.refresh_token }),
      });
    } catch (error) {
      // Offline for a moment: keep the login, the caller retries.
      throw new ApiError(0, { detail: `Cannot reach the server: ${error.message}` });
    }
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
    this.timer = setTimeout(() => {
      this.refresh().catch(() => {});
    }, wait);
  }

  /** An authorised API call; a 401 refreshes the token once and tries again. */
  async call(method, path, body) {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.token();
      const response = await fetch(`${API}${path}`, {
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
