// Records captured without a connection, kept in IndexedDB until the server has them.
//
// A dose captured offline gets a client id (`site-<device>-<time>-<random>`) and its capture time;
// uploads go through POST /api/v1/doses/batch, where a client id uploaded twice is recorded once,
// so an upload cut off half way is simply sent again. An observation closed for an offline dose
// waits in the outbox for the dose's id, then goes to POST /api/v1/observations. One upload runs
// at a time across the device's tabs (Web Locks), and a record leaves the pending count only
// once the server has answered for it.

import * as db from "./db.js";
import { ApiError, LoginRequired, Unreachable } from "./session.js";

const BATCH = 200;

export class Outbox {
  constructor(session, onChange) {
    this.session = session;
    this.onChange = onChange;
    this.running = null;
    this.lastError = "";
  }

  async records() {
    return db.all("outbox");
  }

  /** How many records wait for the server, and how many it refused (shown to staff). */
  async counts() {
    const records = await this.records();
    return {
      pending: records.filter((r) => r.status === "pending").length,
      refused: records.filter((r) => r.status === "refused"),
    };
  }

  /** Forget records the server has had for more than two days. */
  async prune() {
    const before = new Date(Date.now() - 2 * 86_400_000).toISOString();
    for (const record of await this.records()) {
      if (record.status === "uploaded" && (record.uploaded_at ?? "") < before) {
        await db.remove("outbox", record.client_id);
      }
    }
  }

  /** Keep a dose captured offline; returns the stored record. */
  async addDose(body, citizenId) {
    const record = {
      client_id: db.newClientId(),
      kind: "dose",
      status: "pending",
      citizen_id: citizenId,
      created_at: new Date().toISOString(),
      body: null,
    };
    record.body = { ...body, client_id: record.client_id, captured_at: record.created_at };
    await db.put("outbox", record);
    this.onChange();
    return record;
  }

  /** Keep the end of an observation closed offline, or whose dose is not yet on the server. */
  async addObservation(dose, body, citizenId) {
    const record = {
      client_id: db.newClientId(),
      kind: "observation",
      status: "pending",
      citizen_id: citizenId,
      dose_client_id: dose.client_id ?? null,
      dose_id: dose.dose_id ?? null,
      created_at: new Date().toISOString(),
      body,
    };
    await db.put("outbox", record);
    this.onChange();
    return record;
  }

  /** Upload what is pending; one run at a time (and one per device when Web Locks exist). */
  flush() {
    if (!this.running) {
      const run = () => this.upload();
      const locked = navigator.locks
        ? navigator.locks.request("vaxflow-site-outbox", run)
        : run();
      this.running = locked.finally(() => {
        this.running = null;
        this.onChange();
      });
    }
    return this.running;
  }

  async upload() {
    if (!this.session.loggedIn) return;
    try {
      await this.uploadDoses();
      await this.uploadObservations();
      this.lastError = "";
    } catch (error) {
      // Offline, logged out or the server failing: everything stays pending for the next try.
      this.lastError = error.message;
      if (!(error instanceof Unreachable || error instanceof LoginRequired)) console.warn(error);
    }
  }

  async uploadDoses() {
    for (;;) {
      const pending = (await this.records())
        .filter((r) => r.kind === "dose" && r.status === "pending")
        .sort((a, b) => a.created_at.localeCompare(b.created_at))
        .slice(0, BATCH);
      if (!pending.length) return;
      const answer = await this.session.call("POST", "/doses/batch", {
        records: pending.map((r) => r.body),
      });
      const byId = new Map(pending.map((r) => [r.client_id, r]));
      for (const result of answer.results) {
        const record = byId.get(result.client_id);
        if (!record) continue;
        if (result.status === "refused") {
          record.status = "refused";
          record.problem = result.problem;
        } else {
          record.status = "uploaded";
          record.dose_id = result.dose_id;
        }
        record.uploaded_at = new Date().toISOString();
        await db.put("outbox", record);
        await this.settlePerson(record);
      }
      this.onChange();
    }
  }

  /** The person's dose now has its server id (or was refused). */
  async settlePerson(record) {
    const person = await db.get("people", record.citizen_id);
    if (!person || person.dose?.client_id !== record.client_id) return;
    if (record.status === "uploaded") person.dose.dose_id = record.dose_id;
    if (record.status === "refused") person.dose.refused = record.problem?.detail || "refused";
    await db.put("people", person);
  }

  async uploadObservations() {
    const records = await this.records();
    const doses = new Map(records.filter((r) => r.kind === "dose").map((r) => [r.client_id, r]));
    for (const record of records) {
      if (record.kind !== "observation" || record.status !== "pending") continue;
      const dose = record.dose_id ? { dose_id: record.dose_id } : doses.get(record.dose_client_id);
      if (dose?.status === "refused") {
        record.status = "refused";
        record.problem = { detail: "Its dose was refused." };
        await db.put("outbox", record);
        continue;
      }
      if (!dose?.dose_id) continue;
      try {
        await this.session.call("POST", "/observations", { ...record.body, dose_id: dose.dose_id });
        record.status = "uploaded";
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
        // 409: the dose's observation is already recorded (an earlier upload got through).
        record.status = error.status === 409 ? "uploaded" : "refused";
        if (error.status !== 409) record.problem = error.problem;
      }
      record.uploaded_at = new Date().toISOString();
      await db.put("outbox", record);
      this.onChange();
    }
  }
}
