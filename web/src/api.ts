// The server's public HTTP API, as any client could call it; errors become readable messages.

const KEY = "rustcoder.apiKey";

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = localStorage.getItem(KEY);
  return { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...extra };
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(`the server answered ${response.status} with something that is not JSON`, response.status);
  }
  if (!response.ok) {
    const message = body?.error?.message ?? body?.detail ?? `HTTP ${response.status}`;
    if (response.status === 401) {
      const key = prompt("This server needs its API key (kept in this browser):");
      if (key) localStorage.setItem(KEY, key);
    }
    throw new ApiError(message, response.status);
  }
  return body as T;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(path, { headers: headers(), signal }));
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal, extra: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", ...extra }),
    body: JSON.stringify(body),
    signal,
  });
  return answer<T>(response);
}

export interface InfillAnswer {
  content: string;
  tokens_cached: number;
  tokens_evaluated: number;
  truncated: boolean;
  stop_type: string;
  timings: { prompt_n: number; prompt_ms: number; predicted_n: number; predicted_ms: number; cache_n: number };
}

export interface SolveAnswer {
  code: string;
  status: string;
  passed: boolean;
  reason: string;
  error_codes: string[];
  diagnostics: string;
  tests_total: number;
  tests_passed: number;
  rounds: { feedback: string; answer: string }[];
  attempts: number;
  gen_seconds: number;
}

export interface RunRow {
  name: string;
  benchmark: string;
  model: string;
  strategy: string;
  status: string;
  samples: number;
  problems: number;
  pass_at_1: number | null;
  ci95: [number, number] | null;
  fim: Record<string, number> | null;
  generation_seconds: number;
  finished_at: string;
  report: string | null;
  problem: string | null;
}

export interface SampleCell {
  index: number;
  status: string;
  error_codes: string[];
  reason: string;
}

export interface RunDetail {
  run: RunRow;
  problems: { task_id: string; samples: SampleCell[] }[];
}

export interface SampleDetail {
  run: string;
  task_id: string;
  index: number;
  status: string;
  generation: Record<string, any> | null;
  result: Record<string, any> | null;
  prompt: { role: string; content: string }[] | null;
  prompt_note: string;
}
