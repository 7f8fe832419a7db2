// Scanning the appointment QR with the device camera: the browser's BarcodeDetector where it
// reads QR codes, otherwise jsQR (pure JavaScript, loaded only when needed) on video frames.

import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";

async function detector() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const native = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => (await native.detect(video))[0]?.rawValue ?? null;
      }
    } catch {
      // fall through to jsQR
    }
  }
  const { default: jsQR } = await import("jsqr");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    const { videoWidth: w, videoHeight: h } = video;
    if (!w || !h) return null;
    canvas.width = w;
    canvas.height = h;
    context.drawImage(video, 0, 0, w, h);
    const found = jsQR(context.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
    return found?.data ?? null;
  };
}

export function Scanner({ onCode, onClose }) {
  const video = useRef(null);
  const [status, setStatus] = useState("Starting the camera…");

  useEffect(() => {
    let stream = null;
    let stopped = false;
    let timer = null;
    (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia) throw new Error("This browser has no camera access.");
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        if (stopped) return;
        video.current.srcObject = stream;
        await video.current.play();
        const detect = await detector();
        setStatus("Hold the QR code in front of the camera.");
        const loop = async () => {
          if (stopped) return;
          const text = await detect(video.current).catch(() => null);
          if (text) onCode(text);
          else timer = setTimeout(loop, 150);
        };
        loop();
      } catch (error) {
        setStatus(`No camera: ${error.message} Type the code instead.`);
      }
    })();
    const onKey = (event) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);

  return html`<div class="scanner" role="dialog" aria-label="Scan the appointment QR">
    <video ref=${video} muted playsinline></video>
    <p role="status">${status}</p>
    <button type="button" onClick=${onClose}>Close the camera <kbd>Esc</kbd></button>
  </div>`;
}
