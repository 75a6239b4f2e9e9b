/**
 * Requests and responses as plain values, so every site is a function the tests can call
 * without a socket; `server.ts` is the only place that speaks HTTP.
 */
export interface DemoRequest {
  method: string;
  /** Host header without the port, lower case. */
  host: string;
  url: URL;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export interface DemoResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Never answer: the server holds the request, then drops the socket (a timeout fault). */
  stall?: true;
}

export type DemoHandler = (request: DemoRequest) => DemoResponse;

export function json(status: number, value: unknown): DemoResponse {
  return { status, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(value) };
}

export function html(status: number, body: string): DemoResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}

export function javascript(body: string): DemoResponse {
  return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }, body };
}

export function text(status: number, body: string): DemoResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** True when the request carries `Authorization: Bearer <token>` (any token: the demo has no users). */
/** The request's bearer token, if it has one. */
export const bearerToken = (request: DemoRequest): string | undefined => /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];

export function hasBearerToken(request: DemoRequest): boolean {
  return bearerToken(request) !== undefined;
}

/**
 * Whether the request is a POST or PATCH that sends a body without saying it is JSON
 * (`Content-Type: application/json`, with any parameters): both CRMs' REST APIs answer it 415,
 * whatever its body holds.
 */
export function bodyNotDeclaredJson(request: DemoRequest): boolean {
  if ((request.method !== 'POST' && request.method !== 'PATCH') || request.body === '') return false;
  return !/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '');
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJsonBody(request: DemoRequest): unknown {
  try {
    return JSON.parse(request.body);
  } catch {
    return undefined;
  }
}
