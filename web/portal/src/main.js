import { render } from "preact";
import { App } from "./app.js";
import { html } from "./ui.js";
import "./portal.css";

render(html`<${App} />`, document.getElementById("app"));
