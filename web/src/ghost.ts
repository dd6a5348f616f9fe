// Inline ghost-text suggestions for CodeMirror 6: asked for as one types (debounced, the older request
// aborted), shown after the cursor, accepted whole with Tab, word by word with Ctrl-Right, line by line
// with Ctrl-Down, dismissed with Escape. Typing what the suggestion begins with keeps the rest shown.

import { Prec, StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, ViewPlugin, WidgetType, keymap, type ViewUpdate } from "@codemirror/view";

export interface Suggestion {
  pos: number;
  text: string;
}

export interface Asked {
  text: string;
  ms: number;
  cached: boolean;
}

export interface GhostOptions {
  debounceMs: number;
  complete: (prefix: string, suffix: string, signal: AbortSignal) => Promise<Asked>;
  status: (message: string) => void;
}

export const setSuggestion = StateEffect.define<Suggestion | null>();

class GhostWidget extends WidgetType {
  constructor(readonly text: string) {
    super();
  }
  eq(other: GhostWidget): boolean {
    return other.text === this.text;
  }
  toDOM(): HTMLElement {
    const span = document.createElement("span");
    span.className = "cm-ghost";
    span.setAttribute("aria-hidden", "true");
    span.textContent = this.text;
    return span;
  }
  ignoreEvent(): boolean {
    return true;
  }
}

export const suggestionField = StateField.define<Suggestion | null>({
  create: () => null,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setSuggestion)) return effect.value;
    if (value === null) return null;
    if (tr.docChanged) {
      let kept: Suggestion | null = null;
      let changes = 0;
      tr.changes.iterChanges((fromA, toA, _fromB, toB, inserted) => {
        changes += 1;
        const typed = inserted.toString();
        if (fromA === value.pos && toA === fromA && typed && value.text.startsWith(typed) && typed.length < value.text.length) {
          kept = { pos: toB, text: value.text.slice(typed.length) };
        }
      });
      return changes === 1 ? kept : null;
    }
    if (tr.selection && tr.state.selection.main.head !== value.pos) return null;
    return value;
  },
  provide: (field) =>
    EditorView.decorations.from(field, (value) =>
      value ? Decoration.set([Decoration.widget({ widget: new GhostWidget(value.text), side: 1 }).range(value.pos)]) : Decoration.none,
    ),
});

function accept(view: EditorView, part: (text: string) => string): boolean {
  const value = view.state.field(suggestionField);
  if (value === null) return false;
  const taken = part(value.text);
  if (!taken) return false;
  const rest = value.text.slice(taken.length);
  view.dispatch({
    changes: { from: value.pos, insert: taken },
    selection: { anchor: value.pos + taken.length },
    effects: setSuggestion.of(rest ? { pos: value.pos + taken.length, text: rest } : null),
    userEvent: "input.complete",
  });
  return true;
}

export const nextWord = (text: string): string => /^(\s*[\w]+|\s*[^\w\s]+|\s+)/.exec(text)?.[0] ?? text;
export const nextLine = (text: string): string => {
  const end = text.indexOf("\n", text.startsWith("\n") ? 1 : 0);
  return end < 0 ? text : text.slice(0, end + 1);
};

const ghostKeys = Prec.highest(
  keymap.of([
    { key: "Tab", run: (view) => accept(view, (text) => text) },
    { key: "Mod-ArrowRight", run: (view) => accept(view, nextWord) },
    { key: "Mod-ArrowDown", run: (view) => accept(view, nextLine) },
    {
      key: "Escape",
      run: (view) => {
        if (view.state.field(suggestionField) === null) return false;
        view.dispatch({ effects: setSuggestion.of(null) });
        return true;
      },
    },
  ]),
);

function fetcher(options: GhostOptions) {
  return ViewPlugin.fromClass(
    class {
      timer: number | undefined;
      controller: AbortController | null = null;

      constructor(readonly view: EditorView) {}

      update(update: ViewUpdate): void {
        if (!update.docChanged) return;
        if (update.transactions.some((tr) => tr.isUserEvent("input.complete"))) return;
        this.cancel();
        if (update.state.field(suggestionField) !== null) return; // typed through it: keep showing the rest
        this.timer = window.setTimeout(() => void this.ask(), options.debounceMs);
      }

      cancel(): void {
        window.clearTimeout(this.timer);
        this.controller?.abort();
        this.controller = null;
      }

      async ask(): Promise<void> {
        const state = this.view.state;
        const selection = state.selection.main;
        if (!selection.empty) return;
        const doc = state.doc.toString();
        const pos = selection.head;
        const controller = new AbortController();
        this.controller = controller;
        try {
          const asked = await options.complete(doc.slice(0, pos), doc.slice(pos), controller.signal);
          if (controller.signal.aborted || this.view.state.doc.toString() !== doc || this.view.state.selection.main.head !== pos) return;
          this.view.dispatch({ effects: setSuggestion.of(asked.text ? { pos, text: asked.text } : null) });
          options.status(asked.text ? `suggestion in ${Math.round(asked.ms)} ms${asked.cached ? " · from cache" : ""}` : `no suggestion (${Math.round(asked.ms)} ms)`);
        } catch (error) {
          if (controller.signal.aborted) return;
          options.status(`completion failed: ${(error as Error).message}`);
        }
      }

      destroy(): void {
        this.cancel();
      }
    },
  );
}

export function ghostText(options: GhostOptions): Extension {
  return [suggestionField, ghostKeys, fetcher(options)];
}
