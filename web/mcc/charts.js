// Charts drawn by uPlot on canvas: made once, then fed new data with setData (no DOM re-render).

import { Component, createRef, h } from "./vendor/preact.mjs";
import uPlot from "./vendor/uPlot.esm.js";

const TZ = "Asia/Ho_Chi_Minh";
const HEIGHT = 220;
// Distinct colours with at least 3:1 contrast against white.
const PALETTE = ["#1f5fa8", "#b3261e", "#1b7a3a", "#8a4b00", "#6b3fa0", "#00697a", "#a3195b"];

function hourOf(iso) {
  return new Date(iso).toLocaleTimeString("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit" });
}

function width(element) {
  return Math.max(240, Math.floor(element.clientWidth || 480));
}

/** A uPlot chart inside a figure; subclasses say how to build options and data. */
class Chart extends Component {
  plotRef = createRef();

  componentDidMount() {
    this.holder = this.plotRef.current;
    this.draw(this.props);
    this.observer = new ResizeObserver(() => {
      this.plot?.setSize({ width: width(this.holder), height: HEIGHT });
    });
    this.observer.observe(this.holder);
  }

  shouldComponentUpdate(next) {
    if (next.data !== this.props.data) this.draw(next);
    return false; // the canvas is updated in place; the figure's markup never changes
  }

  componentWillUnmount() {
    this.observer?.disconnect();
    this.plot?.destroy();
  }

  draw(props) {
    const { key, options, data, description } = this.build(props.data);
    if (this.plot && key === this.key) {
      this.plot.setData(data);
    } else {
      this.plot?.destroy();
      this.key = key;
      const size = { width: width(this.holder), height: HEIGHT };
      const tzDate = (ts) => uPlot.tzDate(new Date(ts * 1e3), TZ);
      this.plot = new uPlot({ ...options, ...size, tzDate }, data, this.holder);
    }
    this.holder.setAttribute("aria-label", description);
  }

  render({ title, id }) {
    return h(
      "figure",
      { class: "chart", "aria-labelledby": `${id}-title` },
      h("figcaption", { id: `${id}-title` }, title),
      h("div", { class: "plot", role: "img", "aria-label": title, ref: this.plotRef }),
    );
  }
}

/** Doses per local hour today, as bars. `data` is the summary's doses.by_hour. */
export class DosesPerHour extends Chart {
  build(byHour) {
    const xs = byHour.map((row) => Date.parse(row.hour) / 1000);
    const ys = byHour.map((row) => row.doses);
    const described = byHour
      .slice(-6)
      .map((row) => `${hourOf(row.hour)}: ${row.doses}`)
      .join(", ");
    return {
      key: "doses",
      data: [xs, ys],
      description: byHour.length
        ? `Doses per hour today; latest hours ${described}.`
        : "No doses recorded today yet.",
      options: {
        legend: { show: false },
        cursor: { y: false },
        scales: {
          x: { time: true, range: (u, min, max) => [min - 1800, max + 1800] },
          y: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] },
        },
        axes: [{}, { label: "doses", size: 60 }],
        series: [
          {},
          {
            label: "doses",
            stroke: PALETTE[0],
            fill: "rgba(31, 95, 168, 0.35)",
            paths: uPlot.paths.bars({ size: [0.7, 60] }),
            points: { show: false },
          },
        ],
      },
    };
  }
}

/**
 * Consumer lag per group over the time this page has been open. `data` is
 * {times: [...seconds], groups: {name: [lag...]}} kept by the page from each summary.
 */
export class ConsumerLag extends Chart {
  build(history) {
    const names = Object.keys(history.groups).sort();
    const latest = names.map((name) => `${name} ${history.groups[name].at(-1) ?? 0}`).join(", ");
    return {
      key: names.join("|"),
      data: [history.times, ...names.map((name) => history.groups[name])],
      description: names.length
        ? `Consumer lag (messages behind) per group; now ${latest}.`
        : "No consumer groups reported yet.",
      options: {
        legend: { show: true, live: false },
        scales: {
          x: { time: true },
          y: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] },
        },
        axes: [{}, { label: "messages behind", size: 70 }],
        series: [
          {},
          ...names.map((name, i) => ({
            label: name,
            stroke: PALETTE[i % PALETTE.length],
            width: 2,
            points: { show: false },
          })),
        ],
      },
    };
  }
}
