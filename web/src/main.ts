// The single page: a header with the three pages, and a hash router (#/editor, #/solve, #/runs, #/sample).

import { el, showError } from "./dom";
import { mountEditor } from "./editor";
import { mountRuns, mountSample } from "./runs";
import { mountSolve } from "./solve";

const main = document.getElementById("page")!;
let cleanup: (() => void) | void;
let loading = new AbortController();

function route(): void {
  const [path, query] = (location.hash.slice(1) || "/editor").split("?");
  const params = new URLSearchParams(query ?? "");
  cleanup?.();
  cleanup = undefined;
  loading.abort(); // a page still loading for the previous address must not draw over this one
  loading = new AbortController();
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    link.classList.toggle("active", path.startsWith(link.getAttribute("href")!.slice(1)));
  }
  try {
    if (path === "/editor") cleanup = mountEditor(main);
    else if (path === "/solve") cleanup = mountSolve(main);
    else if (path === "/runs") void mountRuns(main, params, loading.signal);
    else if (path === "/sample") void mountSample(main, params, loading.signal);
    else {
      main.replaceChildren(el("p", { text: `No page ${path}.` }));
    }
  } catch (error) {
    showError(main, `This page failed: ${(error as Error).message}`);
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("error", (event) => showError(main, `Something failed: ${event.message}`));
window.addEventListener("unhandledrejection", (event) => showError(main, `Something failed: ${String(event.reason?.message ?? event.reason)}`));
route();
