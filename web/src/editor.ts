// The Editor page: Rust files kept in this browser, live ghost-text completions from /infill, the other
// files sent as context.

import { rust } from "@codemirror/lang-rust";
import { EditorView, basicSetup } from "codemirror";
import { postJson, type InfillAnswer } from "./api";
import { el } from "./dom";
import { ghostText } from "./ghost";

interface File {
  name: string;
  text: string;
}

const FILES = "rustcoder.files";
const CURRENT = "rustcoder.current";
const CLIENT = `ui-${Math.random().toString(36).slice(2, 10)}`;
const STARTER: File = {
  name: "main.rs",
  text: "use std::collections::HashMap;\n\n/// Count how often each word occurs.\nfn word_counts(text: &str) -> HashMap<String, usize> {\n    \n}\n\nfn main() {\n    println!(\"{:?}\", word_counts(\"a b a\"));\n}\n",
};

function load(): File[] {
  try {
    const files = JSON.parse(localStorage.getItem(FILES) ?? "null");
    if (Array.isArray(files) && files.length && files.every((f) => typeof f.name === "string" && typeof f.text === "string")) return files;
  } catch {
    /* a damaged store: start again */
  }
  return [STARTER];
}

export function mountEditor(root: HTMLElement): () => void {
  let files = load();
  let current = Math.max(0, files.findIndex((f) => f.name === localStorage.getItem(CURRENT)));
  const status = el("span", { class: "status", "data-testid": "completion-status", text: "ready" });
  const list = el("ul", { class: "file-list" });
  const host = el("div", { class: "editor-host" });
  const save = () => localStorage.setItem(FILES, JSON.stringify(files));

  const view = new EditorView({
    parent: host,
    doc: files[current].text,
    extensions: [
      basicSetup,
      rust(),
      ghostText({
        debounceMs: 150,
        status: (message) => (status.textContent = message),
        complete: async (prefix, suffix, signal) => {
          const started = performance.now();
          const others = files.filter((_, i) => i !== current).map((f) => ({ filename: f.name, text: f.text }));
          const answer = await postJson<InfillAnswer>(
            "/infill",
            { input_prefix: prefix, input_suffix: suffix, input_extra: others, prompt: "", n_predict: 128, t_max_predict_ms: 1500, cache_prompt: true },
            signal,
            { "X-Client-Id": CLIENT },
          );
          return { text: answer.content, ms: performance.now() - started, cached: answer.tokens_evaluated === 0 };
        },
      }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        files[current].text = update.state.doc.toString();
        save();
      }),
    ],
  });

  const open = (index: number) => {
    current = index;
    localStorage.setItem(CURRENT, files[index].name);
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: files[index].text } });
    render();
    view.focus();
  };
  const render = () => {
    list.replaceChildren(
      ...files.map((file, i) => {
        const item = el("li", { class: i === current ? "current" : "" }, el("button", { type: "button", text: file.name }));
        item.querySelector("button")!.addEventListener("click", () => open(i));
        return item;
      }),
    );
  };
  const create = el("button", { type: "button", text: "New file", title: "A new Rust file in this browser" });
  create.addEventListener("click", () => {
    const name = prompt("File name:", `file${files.length + 1}.rs`)?.trim();
    if (!name) return;
    if (files.some((f) => f.name === name)) return alert(`${name} exists already`);
    files.push({ name, text: "" });
    save();
    open(files.length - 1);
  });
  const remove = el("button", { type: "button", text: "Delete", title: "Delete the open file" });
  remove.addEventListener("click", () => {
    if (files.length === 1 || !confirm(`Delete ${files[current].name}?`)) return;
    files.splice(current, 1);
    save();
    open(0);
  });
  render();
  root.replaceChildren(
    el(
      "div",
      { class: "editor-page" },
      el("aside", { class: "files" }, el("h2", { text: "Files" }), list, el("div", { class: "file-actions" }, create, remove)),
      el(
        "section",
        { class: "editor-main" },
        host,
        el("footer", { class: "editor-footer" }, status, el("span", { class: "keys", text: "Tab accept · Ctrl-→ word · Ctrl-↓ line · Esc dismiss" })),
      ),
    ),
  );
  view.focus();
  return () => view.destroy();
}
