/**
 * Sends webhook requests with Node's own HTTP client: one request, no redirect followed (it never follows
 * them), a deadline over the whole exchange, and the address rules applied twice, to the URL before the
 * request and to the very address the connection is made to (a host that resolves to an allowed address
 * for the check and a refused one for the connection is still refused).
 */
import { lookup as dnsLookup } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../domain/event-ports.js';
import { type AddressPolicy, refusedAddress, refusedUrl } from '../domain/webhook-address.js';

/** Locally (`WEBHOOK_ALLOW_LOCAL=true`, set only by the local runtime) `http://127.0.0.1` is allowed. */
export function addressPolicy(): AddressPolicy {
  return { allowLocal: process.env.WEBHOOK_ALLOW_LOCAL === 'true' };
}

export const resolveHost = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** The address rules for a URL in this runtime, resolving its host through DNS. */
export const checkWebhookUrl = (url: string) => refusedUrl(url, addressPolicy(), resolveHost);

/** Connects only to addresses the rules allow, whatever DNS answers at connection time. */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const allowed = addresses.find((entry) => !refusedAddress(entry.address, policy));
      if (!allowed) return callback(new Error(`${hostname} resolves only to refused addresses`), '', 0);
      if (options.all) return callback(null, [allowed] as never, allowed.family);
      return callback(null, allowed.address, allowed.family);
    });
  };
}

/** At most this much of a receiver's answer is read (its body means nothing to us). */
const MAX_ANSWER_BYTES = 64 * 1024;

export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly policy: AddressPolicy = addressPolicy()) {}

  async send(request: WebhookRequest, timeoutMs: number): Promise<WebhookResponse> {
    const refused = await refusedUrl(request.url, this.policy, resolveHost);
    if (refused) return { statusCode: null, error: `refused address: ${refused}` };
    const url = new URL(request.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookResponse>((resolve) => {
      const outgoing = send(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          lookup: guardedLookup(this.policy),
          signal: AbortSignal.timeout(timeoutMs),
        },
        (answer) => {
          let read = 0;
          answer.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) answer.destroy();
          });
          const done = () => resolve({ statusCode: answer.statusCode ?? 0 });
          answer.on('end', done);
          answer.on('close', done);
          answer.on('error', done);
        },
      );
      outgoing.on('error', (error) => resolve({ statusCode: null, error: error.message }));
      outgoing.end(request.body);
    });
  }
}
