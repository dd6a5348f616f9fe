// The Solve page: a task in words (and optional tests) → Rust code from /api/solve, with the compile and
// test results, rustc's diagnostics as lint markers, and the repair rounds to step through.

import { rust } from "@codemirror/lang-rust";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, basicSetup } from "codemirror";
import { postJson, type SolveAnswer } from "./api";
import { parseDiagnostics } from "./diagnostics";
import { el, showError } from "./dom";

function codeView(parent: HTMLElement, code: string, diagnostics: string): EditorView {
  const marks = (state: EditorState): Diagnostic[] =>
    parseDiagnostics(diagnostics)
      .filter((d) => d.line >= 1 && d.line <= state.doc.lines)
      .map((d) => {
        const line = state.doc.line(d.line);
        const from = Math.min(line.to, line.from + Math.max(0, d.column - 1));
        return { from, to: Math.max(from, line.to), severity: d.severity, message: d.message };
      });
  return new EditorView({ parent, doc: code, extensions: [basicSetup, rust(), lintGutter(), linter((view) => marks(view.state), { delay: 0 })] });
}

export function mountSolve(root: HTMLElement): () => void {
  const description = el("textarea", { id: "solve-description", rows: "5", placeholder: "Return the sum of the even numbers in a slice.", "aria-label": "Task" });
  const signature = el("input", { id: "solve-signature", placeholder: "fn sum_even(values: &[i64]) -> i64", "aria-label": "Signature (optional)" });
  const tests = el("textarea", { id: "solve-tests", rows: "5", placeholder: "#[test]\nfn adds() { assert_eq!(sum_even(&[1, 2, 4]), 6); }", "aria-label": "Tests (optional)" });
  const rounds = el("input", { id: "solve-rounds", type: "number", min: "0", max: "8", value: "2", "aria-label": "Repair rounds" });
  const button = el("button", { type: "submit", text: "Solve (Ctrl-Enter)" });
  const result = el("section", { class: "solve-result", "aria-live": "polite" });
  let view: EditorView | null = null;
  const form = el(
    "form",
    { class: "solve-form" },
    el("label", { text: "Task" }, description),
    el("label", { text: "Signature (optional)" }, signature),
    el("label", { text: "Example tests (optional)" }, tests),
    el("label", { class: "inline", text: "Repair rounds " }, rounds),
    button,
  );
  const solve = async () => {
    if (!description.value.trim()) return showError(root, "Describe the function to write first.");
    root.querySelector(".error-banner")?.remove();
    button.disabled = true;
    result.replaceChildren(el("p", { class: "working", text: "Writing, compiling and testing…" }));
    try {
      const done = await postJson<SolveAnswer>("/api/solve", {
        description: description.value,
        signature: signature.value,
        tests: tests.value,
        rounds: Number(rounds.value) || 0,
      });
      view?.destroy();
      const host = el("div", { class: "code-host" });
      const passed = done.tests_total ? ` · tests ${done.tests_passed}/${done.tests_total}` : "";
      const parts = [
        el("p", {}, el("span", { class: `badge status-${done.status}`, "data-testid": "solve-status", text: done.status.replace("_", " ") }), ` ${done.reason}${passed} · ${done.gen_seconds.toFixed(1)} s`),
        host,
        done.diagnostics ? el("details", {}, el("summary", { text: "Compiler output" }), el("pre", { text: done.diagnostics })) : null,
        roundsView(done),
      ];
      result.replaceChildren(...parts.filter((part): part is HTMLElement => part !== null));
      view = codeView(host, done.code, done.diagnostics);
    } catch (error) {
      result.replaceChildren();
      showError(root, `Solve failed: ${(error as Error).message}`);
    } finally {
      button.disabled = false;
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void solve();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void solve();
    }
  });
  root.replaceChildren(el("div", { class: "solve-page" }, form, result));
  description.focus();
  return () => view?.destroy();
}

function roundsView(done: SolveAnswer): HTMLElement | null {
  if (!done.rounds.length) return null;
  let at = 0;
  const body = el("div", { class: "round" });
  const label = el("span", {});
  const show = () => {
    const round = done.rounds[at];
    label.textContent = `Repair round ${at + 1} of ${done.rounds.length}`;
    body.replaceChildren(el("h4", { text: "Feedback given" }), el("pre", { text: round.feedback }), el("h4", { text: "Answer" }), el("pre", { text: round.answer }));
  };
  const back = el("button", { type: "button", text: "←", "aria-label": "Previous round" });
  const next = el("button", { type: "button", text: "→", "aria-label": "Next round" });
  back.addEventListener("click", () => ((at = Math.max(0, at - 1)), show()));
  next.addEventListener("click", () => ((at = Math.min(done.rounds.length - 1, at + 1)), show()));
  show();
  return el("section", { class: "rounds" }, el("div", { class: "round-nav" }, back, label, next), body);
}
