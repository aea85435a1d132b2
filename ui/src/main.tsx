import { render } from "preact";

import { App } from "./components/App";
import { Store, errorText } from "./state/store";
import "./style.css";

const store = new Store();
const root = document.getElementById("app");
if (root) {
  render(<App store={store} />, root);
  store.start().catch((e) => {
    root.setAttribute("data-error", errorText(e));
    console.error("start failed", e);
  });
}
