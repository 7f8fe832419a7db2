// QR codes drawn on a canvas (no data: or blob: images: the Content-Security-Policy allows only self).
import { useEffect, useRef } from "preact/hooks";
import QRCode from "qrcode";
import { html } from "./ui.js";

export function QrCanvas({ text, label, level = "M", size = 288, testid }) {
  const ref = useRef(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !text) return;
    canvas.removeAttribute("data-ready");
    QRCode.toCanvas(canvas, text, { errorCorrectionLevel: level, margin: 4, width: size }, (err) => {
      if (!err) canvas.setAttribute("data-ready", "true");
    });
  }, [text, level, size]);
  return html`<canvas class="qr" ref=${ref} role="img" aria-label=${label} data-testid=${testid}></canvas>`;
}
