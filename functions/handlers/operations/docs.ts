import type { Operations } from '../../http/api.js';
import { docsPage } from '../../http/openapi/docs-page.js';
import { openApiDocument } from '../../http/openapi/document.js';

// Both answers depend on the code alone: built on first use, then kept for the container's life.
let document: ReturnType<typeof openApiDocument> | undefined;
let page: Promise<string> | undefined;
const currentDocument = () => (document ??= openApiDocument());

/** The document and its page need no ports. */
export const ports = () => undefined;

/** The OpenAPI document and a page of it. */
export const operations: Operations<undefined> = {
  'GET /openapi.json': async () => ({ status: 200, body: currentDocument() }),
  'GET /docs': async () => ({
    status: 200,
    body: await (page ??= docsPage(currentDocument())),
    headers: { 'content-type': 'text/html; charset=utf-8' },
  }),
};
