// The Runs page: every run under the server's --runs folder, a per-problem grid across the selected runs
// (filterable by status and error code), and one sample in full, alone or beside another run's.

import { getJson, type RunDetail, type RunRow, type SampleDetail } from "./api";
import { el, percent, seconds, showError } from "./dom";

const STATUSES = ["passed", "compile_error", "test_failure", "panic", "timeout", "no_tests", "sandbox_error", "backend_error", "not_executed"];

export async function mountRuns(root: HTMLElement, params: URLSearchParams, signal: AbortSignal): Promise<void> {
  root.replaceChildren(el("p", { class: "working", text: "Loading runs…" }));
  let rows: RunRow[];
  try {
    rows = (await getJson<{ root: string; runs: RunRow[] }>("/api/runs", signal)).runs;
  } catch (error) {
    if (signal.aborted) return;
    root.replaceChildren();
    return showError(root, `Cannot list runs: ${(error as Error).message}`);
  }
  const selected = new Set((params.get("sel") ?? "").split(",").filter((name) => rows.some((r) => r.name === name)));
  const table = el("table", { class: "runs-table", "data-testid": "runs-table" });
  table.append(
    el("thead", {}, el("tr", {}, ...["", "run", "benchmark", "model", "strategy", "pass@1 (95 % interval)", "samples", "generation", "finished", ""].map((h) => el("th", { text: h })))),
  );
  const body = el("tbody");
  for (const row of rows) {
    const box = el("input", { type: "checkbox", "aria-label": `select ${row.name}` });
    box.checked = selected.has(row.name);
    box.addEventListener("change", () => {
      if (box.checked) selected.add(row.name);
      else selected.delete(row.name);
      history.replaceState(null, "", `#/runs?sel=${[...selected].map(encodeURIComponent).join(",")}`);
      void showGrid();
    });
    const interval = row.ci95 ? el("span", { class: "ci", text: ` ${(100 * row.ci95[0]).toFixed(1)}–${(100 * row.ci95[1]).toFixed(1)}` }) : null;
    const score = row.pass_at_1 !== null ? percent(row.pass_at_1) : row.fim ? `exact ${percent(row.fim.exact_match)}` : "–";
    const name = el("a", { href: `#/runs?sel=${encodeURIComponent(row.name)}`, text: row.name, title: "Show only this run's problems" });
    body.append(
      el(
        "tr",
        { class: row.problem ? "damaged" : "" },
        el("td", {}, box),
        el("td", {}, name, row.problem ? el("div", { class: "problem", text: row.problem }) : null),
        el("td", { text: row.benchmark }),
        el("td", { text: row.model }),
        el("td", { text: row.strategy }),
        el("td", { class: "num" }, score, interval),
        el("td", { class: "num", text: String(row.samples) }),
        el("td", { class: "num", text: seconds(row.generation_seconds) }),
        el("td", { text: row.finished_at.slice(0, 16).replace("T", " ") }),
        el("td", {}, row.report ? el("a", { href: `/runs-files/${row.report}`, target: "_blank", text: "report" }) : null),
      ),
    );
  }
  table.append(body);
  const area = el("div", { class: "grid-area" });
  let gridLoad = new AbortController();
  const showGrid = async () => {
    gridLoad.abort(); // the grid of an earlier selection must not draw over this one
    const mine = (gridLoad = new AbortController());
    const stop = () => mine.abort();
    signal.addEventListener("abort", stop);
    if (!selected.size) {
      area.replaceChildren(rows.length ? el("p", { class: "hint", text: "Select runs to see their problems side by side." }) : "");
      return;
    }
    const section = await grid([...selected], mine.signal);
    signal.removeEventListener("abort", stop);
    if (!mine.signal.aborted) area.replaceChildren(section);
  };
  root.replaceChildren(el("h2", { text: `Runs (${rows.length})` }), rows.length ? table : el("p", { text: "No runs in this folder yet." }), area);
  await showGrid();
}

async function grid(names: string[], signal: AbortSignal): Promise<HTMLElement> {
  const section = el("section", { class: "grid" });
  let details: RunDetail[];
  try {
    details = await Promise.all(names.map((name) => getJson<RunDetail>(`/api/runs/${encodeURIComponent(name)}`, signal)));
  } catch (error) {
    showError(section, `Cannot open the run: ${(error as Error).message}`);
    return section;
  }
  const status = el("select", { "aria-label": "Filter by status" }, el("option", { value: "", text: "any status" }), ...STATUSES.map((s) => el("option", { value: s, text: s.replace("_", " ") })));
  const code = el("input", { placeholder: "error code, e.g. E0308", "aria-label": "Filter by error code", size: "18" });
  const only = el("select", { "aria-label": "Which runs" }, el("option", { value: "any", text: "in any selected run" }), el("option", { value: "differ", text: "where the runs differ" }));
  const count = el("span", { class: "count" });
  const table = el("table", { class: "grid-table", "data-testid": "grid" });
  const tasks = [...new Set(details.flatMap((d) => d.problems.map((p) => p.task_id)))];
  const cells = new Map(details.map((d) => [d.run.name, new Map(d.problems.map((p) => [p.task_id, p.samples]))]));
  table.append(el("thead", {}, el("tr", {}, el("th", { text: "problem" }), ...names.map((n) => el("th", { text: n })))));
  const body = el("tbody");
  table.append(body);
  const render = () => {
    const wanted = status.value;
    const wantedCode = code.value.trim().toUpperCase();
    const rows: HTMLElement[] = [];
    for (const task of tasks) {
      const samples = names.map((n) => cells.get(n)?.get(task) ?? []);
      const matches = samples.some((list) => list.some((s) => (!wanted || s.status === wanted) && (!wantedCode || s.error_codes.includes(wantedCode))));
      if (!matches) continue;
      if (only.value === "differ" && new Set(samples.map((list) => list.map((s) => s.status).join())).size < 2) continue;
      rows.push(
        el(
          "tr",
          {},
          el("th", { text: task }),
          ...samples.map((list, i) =>
            el(
              "td",
              {},
              ...(list.length
                ? list.map((s) => {
                    const vs = names.length > 1 ? `&vs=${encodeURIComponent(names[(i + 1) % names.length])}` : "";
                    return el("a", {
                      class: `cell status-${s.status}`,
                      href: `#/sample?run=${encodeURIComponent(names[i])}&task=${encodeURIComponent(task)}&i=${s.index}${vs}`,
                      title: `${s.status}${s.error_codes.length ? " " + s.error_codes.join(" ") : ""}${s.reason ? ": " + s.reason : ""}`,
                      text: s.status === "passed" ? "✓" : s.error_codes[0] ?? s.status.replace("_", " "),
                    });
                  })
                : [el("span", { class: "cell missing", text: "–" })]),
            ),
          ),
        ),
      );
    }
    body.replaceChildren(...rows);
    count.textContent = `${rows.length} of ${tasks.length} problems`;
  };
  for (const control of [status, code, only]) control.addEventListener("input", render);
  render();
  section.append(el("h2", { text: "Problems" }), el("div", { class: "filters" }, status, code, names.length > 1 ? only : null, count), table);
  return section;
}

export async function mountSample(root: HTMLElement, params: URLSearchParams, signal: AbortSignal): Promise<void> {
  const run = params.get("run") ?? "";
  const task = params.get("task") ?? "";
  const index = Number(params.get("i") ?? "0");
  const vs = params.get("vs");
  root.replaceChildren(el("p", { class: "working", text: "Loading the sample…" }));
  const fetchOne = (name: string) =>
    getJson<SampleDetail>(`/api/runs/${encodeURIComponent(name)}/sample?task_id=${encodeURIComponent(task)}&index=${index}`, signal);
  try {
    const [one, other] = await Promise.all([fetchOne(run), vs ? fetchOne(vs).catch((e: Error) => e) : Promise.resolve(null)]);
    if (signal.aborted) return;
    const columns = [sampleView(one)];
    if (other instanceof Error) columns.push(el("div", { class: "error-banner", text: `${vs}: ${other.message}` }));
    else if (other) columns.push(sampleView(other));
    root.replaceChildren(
      el("p", {}, el("a", { href: `#/runs?sel=${[run, vs].filter(Boolean).map((n) => encodeURIComponent(n!)).join(",")}`, text: "← back to the runs" })),
      el("h2", { text: `${task} · sample ${index}` }),
      el("div", { class: columns.length > 1 ? "side-by-side" : "" }, ...columns),
    );
  } catch (error) {
    if (signal.aborted) return;
    root.replaceChildren();
    showError(root, `Cannot open the sample: ${(error as Error).message}`);
  }
}

function block(title: string, text: unknown, open = true): HTMLElement | null {
  if (text === undefined || text === null || text === "") return null;
  const details = el("details", {}, el("summary", { text: title }), el("pre", { text: String(text) }));
  details.open = open;
  return details;
}

function sampleView(sample: SampleDetail): HTMLElement {
  const g = sample.generation ?? {};
  const r = sample.result ?? {};
  const timings = ["gen_seconds", "ttft_seconds", "tokens", "tokens_per_second", "prompt_tokens", "attempts", "rounds"]
    .filter((k) => g[k] !== undefined)
    .map((k) => `${k.replace(/_/g, " ")}: ${g[k]}`)
    .concat(r.compile_seconds !== undefined ? [`compile: ${r.compile_seconds} s`, `run: ${r.run_seconds} s`] : []);
  const prompt = sample.prompt ? sample.prompt.map((m) => `── ${m.role} ──\n${m.content}`).join("\n\n") : sample.prompt_note;
  const log = Array.isArray(g.repair_log)
    ? g.repair_log.map((round: { feedback: string; answer: string }, i: number) => `── round ${i + 1}: feedback ──\n${round.feedback}\n── answer ──\n${round.answer}`).join("\n\n")
    : "";
  return el(
    "article",
    { class: "sample", "data-testid": "sample" },
    el("h3", {}, `${sample.run} `, el("span", { class: `badge status-${sample.status}`, text: sample.status.replace("_", " ") })),
    r.reason ? el("p", { class: "reason", text: r.reason }) : null,
    el("p", { class: "timings", text: timings.join(" · ") }),
    block("Prompt", prompt, false),
    block("Raw model output", g.raw),
    block("Extracted code", g.solution ?? g.completion),
    block("Compiler output", r.compile_output),
    block("Test output", [r.stdout, r.stderr].filter(Boolean).join("\n")),
    block("Repair log", log, false),
  );
}
