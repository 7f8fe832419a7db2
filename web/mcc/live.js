// The live picture: GET /api/v1/dashboard/stream read with fetch (the bearer token goes in the
// Authorization header, which EventSource cannot send). The server coalesces changes to at most
// two summaries a second; the page keeps only the latest one and looks at it once per animation
// frame, so however many arrive between two frames, it parses and renders once.

import { fetchEventSource } from "./vendor/fetch-event-source/index.js";
import { LoginRequired, problemOf } from "./session.js";

const STREAM = "/api/v1/dashboard/stream";

class Refused extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Keep one stream open while logged in. `onSummary(text)` gets the raw JSON of each summary;
 * `onStatus({state, message})` tells the page whether it is live.
 */
export class LiveStream {
  constructor(session, { onSummary, onStatus }) {
    this.session = session;
    this.onSummary = onSummary;
    this.onStatus = onStatus;
    this.controller = null;
    this.stopped = true;
    this.failures = 0; // consecutive failed connections: the wait grows 1, 2, 4... 15 s
    this.refreshes = 0; // tokens refreshed since the last successful connection
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
    this.controller = null;
  }

  async connect() {
    while (!this.stopped) {
      let token;
      try {
        token = await this.session.token();
      } catch (error) {
        if (error instanceof LoginRequired) return this.stop();
        this.onStatus({ state: "offline", message: error.message });
        await this.pause();
        continue;
      }
      const controller = new AbortController();
      this.controller = controller;
      try {
        await this.open(token, controller);
        return; // aborted by stop()
      } catch (error) {
        controller.abort();
        if (this.stopped) return;
        if (error instanceof Refused && error.status === 401) {
          // The token expired or was revoked: refresh, then reconnect (waiting first when a
          // fresh token was refused too).
          if (this.refreshes > 0) await this.pause();
          this.refreshes += 1;
          try {
            await this.session.refresh();
          } catch (refused) {
            if (refused instanceof LoginRequired) return this.stop(); // the page asks for a login
            this.onStatus({ state: "offline", message: refused.message });
            await this.pause();
          }
          continue;
        }
        if (error instanceof Refused && error.status === 403) {
          this.onStatus({ state: "refused", message: error.message });
          return this.stop();
        }
        this.onStatus({ state: "offline", message: error.message });
        await this.pause();
      }
    }
  }

  pause() {
    const wait = Math.min(15_000, 1000 * 2 ** this.failures);
    this.failures += 1;
    return sleep(wait);
  }

  open(token, controller) {
    return fetchEventSource(STREAM, {
      headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
      signal: controller.signal,
      // A hidden tab keeps its stream: operators glance back at it and expect it current.
      openWhenHidden: true,
      onopen: async (response) => {
        const type = response.headers.get("content-type") || "";
        if (response.ok && type.startsWith("text/event-stream")) {
          this.failures = 0;
          this.refreshes = 0;
          this.onStatus({ state: "live", message: "" });
          return;
        }
        const problem = await problemOf(response);
        if (response.status === 403) {
          throw new Refused(
            403,
            "This account may not see the dashboard (it needs the mcc_operator or admin role).",
          );
        }
        const detail = problem?.detail || problem?.title || "";
        throw new Refused(
          response.status,
          `The live picture is unavailable (HTTP ${response.status}${detail ? `: ${detail}` : ""}).`,
        );
      },
      onmessage: (message) => {
        if (message.event === "summary" && message.data) this.onSummary(message.data);
      },
      onclose: () => {
        // The server ended the stream (a restart): reconnect through onerror's retry.
        throw new Error("The live stream closed; reconnecting.");
      },
      onerror: (error) => {
        // Refusals and closes go back to connect(), which decides; nothing retries blindly.
        throw error;
      },
    });
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
