import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import type { Problem } from "./types";

/** Error thrown by all API helpers; carries the RFC 9457 problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** Field-level messages keyed by field name. */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const key = e.field || "_";
      out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
    }
    return out;
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method.toUpperCase()) && csrfToken) {
      request.headers.set("X-CSRF-Token", csrfToken);
    }
    return request;
  },
};

function origin(): string {
  return typeof window !== "undefined" && window.location?.origin && window.location.origin !== "null"
    ? window.location.origin
    : "http://localhost";
}

export const api = createClient<paths>({
  baseUrl: origin(),
  credentials: "same-origin",
  headers: { Accept: "application/json, application/problem+json" },
  // Resolve fetch lazily so tests can stub globalThis.fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(csrfMiddleware);

function toProblem(status: number, statusText: string, error: unknown): Problem {
  if (error && typeof error === "object" && ("title" in error || "detail" in error)) {
    const e = error as Partial<Problem>;
    return {
      type: e.type,
      title: e.title ?? statusText ?? "Error",
      status: e.status ?? status,
      detail: e.detail ?? null,
      errors: Array.isArray(e.errors) ? e.errors : null,
    };
  }
  const text = typeof error === "string" && error.trim() ? error.trim().slice(0, 300) : null;
  return {
    title: statusText || (status ? `Request failed (${status})` : "Network error"),
    status,
    detail: text,
    errors: null,
  };
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/**
 * Await an openapi-fetch call and return its data, throwing ApiError for
 * non-2xx responses and network failures.
 */
export async function unwrap<T>(promise: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await promise;
  } catch (err) {
    throw new ApiError(0, {
      title: "Network error",
      status: 0,
      detail: err instanceof Error ? `Could not reach the server: ${err.message}` : "Could not reach the server.",
      errors: null,
    });
  }
  const { data, error, response } = result;
  if (!response.ok) {
    throw new ApiError(response.status, toProblem(response.status, response.statusText, error));
  }
  return data as T;
}

/** Human-readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem;
    const head = p.detail || p.title || `Request failed (${err.status})`;
    const fields = (p.errors ?? [])
      .filter((e) => e.message && e.message !== head)
      .map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
    return fields.length ? `${head} — ${fields.join("; ")}` : head;
  }
  if (err instanceof Error) return err.message;
  return "Something went wrong.";
}
