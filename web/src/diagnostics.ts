// rustc's diagnostics read for the Solve page's lint markers (no imports: unit-tested under Node).

export interface Found {
  line: number;
  column: number;
  severity: "error" | "warning";
  message: string;
}

/** rustc's human-readable diagnostics in the solution's own file (not the tests'), as (line, column,
 * severity, message). */
export function parseDiagnostics(output: string): Found[] {
  const found: Found[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const head = /^(error|warning)(\[E\d{4}\])?: (.*)$/.exec(lines[i]);
    if (!head) continue;
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
      const at = /-->\s+(\S+?):(\d+):(\d+)/.exec(lines[j]);
      if (at && !at[1].endsWith("solution.rs")) break; // in the tests, not in the code shown
      if (at) {
        found.push({ line: Number(at[2]), column: Number(at[3]), severity: head[1] as "error" | "warning", message: `${head[2] ? head[2].slice(1, -1) + ": " : ""}${head[3]}` });
        break;
      }
    }
  }
  return found;
}
