// The public API behind the gateway, with the citizen's tokens (kept in localStorage so a reload
// stays logged in; the single-use refresh token is rotated on a 401).

const BASE = "/api/v1";
const KEY = "vaxflow.portal.session";

let session = read();
const listeners = new Set();

function read() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

function store(next) {
  session = next;
  if (next) localStorage.setItem(KEY, JSON.stringify(next));
  else localStorage.removeItem(KEY);
  listeners.forEach((fn) => fn(session));
}

export const isLoggedIn = () => Boolean(session);
export const onSession = (fn) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

/** A refused request: the HTTP status and the problem+json body (title, detail, errors). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
  get code() {
    // The last segment of the problem type: slot-full, already-booked, account-full...
    return String(this.problem.type || "").split("/").pop();
  }
}

let refreshing = null;

async function refresh() {
  if (!session?.refresh_token) return false;
  refreshing ||= (async () => {
    try {
      const r = await fetch(`${BASE}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: session.refresh_token }),
      });
      if (!r.ok) {
        store(null);
        return false;
      }
      const tokens = await r.json();
      store({ ...session, ...tokens });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function send(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session) headers.Authorization = `Bearer ${session.access_token}`;
  return fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The raw response of a call (refreshing the access token once on 401); throws ApiError. */
export async function call(method, path, body) {
  let response = await send(method, path, body);
  if (response.status === 401 && session && (await refresh())) {
    response = await send(method, path, body);
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    if (response.status === 401) store(null);
    throw new ApiError(response.status, problem);
  }
  return response;
}

/** The JSON answer of a call. */
export async function api(method, path, body) {
  const response = await call(method, path, body);
  return response.status === 204 ? null : response.json();
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body);

export async function requestCode(phone) {
  return post("/auth/otp/request", { phone });
}

export async function verifyCode(phone, code) {
  const tokens = await post("/auth/otp/verify", { phone, code });
  store({ ...tokens, phone });
}

export async function logout() {
  const token = session?.refresh_token;
  localStorage.removeItem("vaxflow.portal.person");
  store(null);
  if (token) {
    try {
      await fetch(`${BASE}/auth/logout`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
    } catch {
      /* the tokens are forgotten here anyway */
    }
  }
}

/** Every page of a cursor-paginated collection (bounded). */
export async function all(path, { pages = 10 } = {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < pages; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const page = await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

const sites = new Map();

/** A site's record (name, address), fetched once per page load. */
export function site(siteId) {
  if (!sites.has(siteId)) {
    sites.set(
      siteId,
      get(`/sites/${siteId}`).catch(() => {
        sites.delete(siteId);
        return null;
      }),
    );
  }
  return sites.get(siteId);
}
