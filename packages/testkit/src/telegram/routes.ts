import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.js';
import type { HttpHandler, HttpReply } from './http-server.js';
import { findMethod } from './methods.js';
import { Params } from './params.js';
import { decodeRequest, readBody } from './request-body.js';
import type { FakeState } from './state.js';
import type { ApiFailure, ApiResponse, UploadedFile } from './types.js';

const NOT_FOUND: ApiFailure = { ok: false, error_code: 404, description: 'Not Found' };

/** Routes `/bot<token>/<method>` to the Bot API methods and `/file/bot<token>/<path>` to downloads. */
export function createRouter(state: FakeState): HttpHandler {
  return async (request, url, signal) => {
    const api = /^\/bot([^/]*)\/(.*)$/.exec(url.pathname);
    if (api) return apiCall(state, request, url, signal, api[1] ?? '', decodeURIComponent(api[2] ?? ''));
    const file = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
    if (file) return download(state, file[1] ?? '', decodeURIComponent(file[2] ?? ''));
    return { status: 404, json: NOT_FOUND };
  };
}

function toFailure(error: unknown): ApiFailure {
  if (error instanceof ApiError) return error.toResponse();
  // A handler bug: report it to the client rather than hide it.
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, error_code: 500, description: `Internal Server Error: ${message}` };
}

async function apiCall(
  state: FakeState,
  request: IncomingMessage,
  url: URL,
  signal: AbortSignal,
  token: string,
  method: string,
): Promise<HttpReply | undefined> {
  const call = state.recorder.record({
    method,
    httpMethod: request.method ?? 'GET',
    contentType: request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() || undefined,
    params: Object.fromEntries(url.searchParams),
    files: [],
  });
  await state.stall.wait(signal);
  if (signal.aborted) return undefined;
  let response: ApiResponse;
  try {
    const input = decodeRequest(await readBody(request), request.headers['content-type'], url.searchParams);
    call.params = input.params;
    call.files = input.files;
    response = { ok: true, result: await dispatch(state, token, method, input.params, input.files, signal) };
  } catch (error) {
    response = toFailure(error);
  }
  // Nobody is listening any more: leave the call unanswered, as the client experienced it.
  if (signal.aborted) return undefined;
  call.response = response;
  return { status: response.ok ? 200 : response.error_code, json: response };
}

async function dispatch(
  state: FakeState,
  token: string,
  method: string,
  params: Record<string, unknown>,
  files: UploadedFile[],
  signal: AbortSignal,
): Promise<unknown> {
  if (token !== state.token) throw new ApiError(401, 'Unauthorized');
  const injected = state.recorder.takeFailure(method);
  if (injected) throw injected;
  const handler = findMethod(method);
  if (!handler) throw new ApiError(404, 'Not Found: method not found');
  return handler({ state, params: new Params(params), files, signal });
}

function download(state: FakeState, token: string, filePath: string): HttpReply {
  if (token !== state.token) return { status: 401, json: new ApiError(401, 'Unauthorized').toResponse() };
  const file = state.files.atPath(filePath);
  if (!file) return { status: 404, json: NOT_FOUND };
  return { status: 200, body: file.bytes, contentType: file.mimeType };
}
