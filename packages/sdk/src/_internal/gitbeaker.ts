/**
 * gitbeaker, wrapped once. We use @gitbeaker/core's resource classes for their
 * endpoint knowledge, with our own requester: every request goes through our
 * transport (no blind POST retries, full error bodies, Retry-After, events, no token
 * in gitbeaker's hands at all). A gitbeaker call never throws out of this module.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Gitlab } from '@gitbeaker/core';
import { createRequesterFn, type RequestOptions } from '@gitbeaker/requester-utils';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { z } from 'zod';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { HttpRequest, Transport } from './transport.js';
import { validate } from './validate.js';

/** The gitbeaker API object our client uses. */
export type GitbeakerApi = InstanceType<typeof Gitlab<false>>;

const routeContext = new AsyncLocalStorage<string>();

class TransportFailure extends Error {
  constructor(readonly error: HotfixError) {
    super(error.message);
  }
}

/** Builds a gitbeaker client whose every request goes through `transport`. */
export function createGitbeaker(transport: Transport): GitbeakerApi {
  const requesterFn = createRequesterFn(
    async (_resourceOptions, reqOpts) => reqOpts,
    async (endpoint: string, options?: RequestOptions) => {
      const method = (options?.method ?? 'GET').toUpperCase() as HttpRequest['method'];
      const route = routeContext.getStore() ?? `/${endpoint}`;
      const search = typeof options?.searchParams === 'string' ? options.searchParams : '';
      const body = typeof options?.body === 'string' ? options.body : undefined;
      const result = await transport.send({
        method,
        route,
        rawPath: `/${endpoint}${search ? `?${search}` : ''}`,
        ...(body !== undefined ? { rawBody: { text: body, contentType: 'application/json' } } : {}),
      });
      if (result.isErr()) throw new TransportFailure(result.error);
      const { status, headers, body: resBody } = result.value;
      return { status, headers: { ...headers }, body: resBody as Record<string, unknown> };
    },
  );
  return new Gitlab({ requesterFn, host: transport.apiUrl.replace(/\/api\/v4$/, ''), queryTimeout: null });
}

/**
 * Runs one gitbeaker call under a route template (for events and errors), and validates
 * its result with `schema`. Transport errors come back as they are; anything gitbeaker
 * throws on its own becomes an `internal` error.
 */
export function viaGitbeaker<S extends z.ZodType>(
  method: string,
  route: string,
  schema: S,
  call: () => Promise<unknown>,
): ResultAsync<z.output<S>, HotfixError> {
  return ResultAsync.fromPromise(routeContext.run(route, call), (e): HotfixError => {
    if (e instanceof TransportFailure) return e.error;
    if (isHotfixError(e)) return e;
    return hotfixError(
      'internal',
      `gitbeaker failed on ${method} ${route}: ${e instanceof Error ? e.message : String(e)}`,
      {
        details: { reason: e instanceof Error ? e.message : String(e) },
      },
    );
  }).andThen((body) => {
    const v = validate(schema, body, method, route);
    return v.isOk() ? okAsync(v.value) : errAsync(v.error);
  });
}
