// What the console keeps on the device, in IndexedDB, so that nothing is lost when the
// connection drops or the tab is closed:
//   people  - today's people this device handles (check-in, screening, dose, observation),
//             keyed by citizen id;
//   outbox  - records captured offline (doses, and the observations that close them), keyed by
//             their client id, until the server has them.

const NAME = "vaxflow-site";
const VERSION = 1;

let opening = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("people")) {
          db.createObjectStore("people", { keyPath: "citizen_id" });
        }
        if (!db.objectStoreNames.contains("outbox")) {
          const outbox = db.createObjectStore("outbox", { keyPath: "client_id" });
          outbox.createIndex("status", "status");
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opening;
}

async function tx(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(storeName, mode);
    const result = work(t.objectStore(storeName));
    t.oncomplete = async () => resolve(await result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export const all = (store) => tx(store, "readonly", (s) => request(s.getAll()));
export const get = (store, key) => tx(store, "readonly", (s) => request(s.get(key)));
export const put = (store, value) => tx(store, "readwrite", (s) => request(s.put(value)));
export const remove = (store, key) => tx(store, "readwrite", (s) => request(s.delete(key)));

/** A stable id for this device (browser profile), part of every client id it makes. */
export function deviceId() {
  const key = "vaxflow.site.device";
  let id = localStorage.getItem(key);
  if (!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    localStorage.setItem(key, id);
  }
  return id;
}

/** A new client id: `site-<device>-<time>-<random>` (the batch endpoint's pattern). */
export function newClientId() {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  return `site-${deviceId()}-${Date.now().toString(36)}-${random}`;
}

/** The staff member's remembered choices (lot, body site, product, vitals defaults). */
export function prefs() {
  try {
    return JSON.parse(localStorage.getItem("vaxflow.site.prefs") || "{}");
  } catch {
    return {};
  }
}

export function savePrefs(changes) {
  localStorage.setItem("vaxflow.site.prefs", JSON.stringify({ ...prefs(), ...changes }));
}
