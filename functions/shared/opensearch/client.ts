import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { SEARCH_REQUEST_TIMEOUT_MS } from '../../../contracts/function-runtime';
import { environmentCredentials } from '../clients';

export interface SearchResponse {
  status: number;
  body: unknown;
}

/** The few OpenSearch calls logwarden makes, over HTTPS with SigV4 (service `es`). */
export interface SearchClient {
  request(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH',
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<SearchResponse>;
}

export interface SearchClientOptions {
  endpoint: string;
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  fetchImpl?: typeof fetch;
  /** Longest wait for one request and its answer (default SEARCH_REQUEST_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * A SigV4-signing client. The local domain (local/opensearch-gateway.ts) verifies the signature
 * against the stand-in's credentials and maps the principal as fine-grained access control does,
 * so the local run goes through this very code.
 */
export function signedSearchClient(options: SearchClientOptions): SearchClient {
  const url = new URL(options.endpoint);
  const signer = new SignatureV4({
    service: 'es',
    region: options.region,
    credentials: options.credentials ?? environmentCredentials(),
    sha256: Sha256,
  });
  const doFetch = options.fetchImpl ?? fetch;
  return {
    async request(method, path, body, contentType = 'application/json') {
      const [pathname, query] = path.split('?');
      const request = new HttpRequest({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: pathname,
        query: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
        headers: { host: url.host, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        body,
      });
      const signed = await signer.sign(request);
      // A domain that never answers fails the request (the caller retries, logs and counts it)
      // rather than holding the function until Lambda ends it without a word.
      const signal = AbortSignal.timeout(options.timeoutMs ?? SEARCH_REQUEST_TIMEOUT_MS);
      const res = await doFetch(`${url.origin}${path}`, {
        method,
        headers: signed.headers as Record<string, string>,
        body,
        signal,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (an HTML error page from a proxy, say): keep the text for the error message.
      }
      return { status: res.status, body: parsed };
    },
  };
}
