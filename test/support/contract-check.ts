/**
 * Every answer an HTTP test receives is checked against the OpenAPI document (`GET /openapi.json`): its
 * status is one the operation declares, every header it declares as required is there, every documented
 * header it sends matches its schema and no undocumented one is sent, and its body matches the schema of its
 * media type. So each tested path proves that the contract and the code agree.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { openApiDocument } from '../../functions/http/openapi/document.js';

type Json = Record<string, any>;

const document: Json = openApiDocument();

// The document's schemas sit among OpenAPI keywords ajv does not know, which its strict mode would refuse.
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormatsPlugin as unknown as (instance: Ajv2020) => void)(ajv);
ajv.addSchema(document, 'openapi.json');

/** Sent by HTTP itself, or only in local runs that ask for it (`DSM_EXPOSE_CAPACITY`), not by the API. */
const transportHeaders = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-consumed-capacity',
]);

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly pattern: RegExp;
  readonly literalSegments: number;
}

// Literal segments win over parameters, as in API Gateway.
const operations: Operation[] = Object.entries(document.paths as Json)
  .flatMap(([path, methods]) =>
    Object.keys(methods as Json).map((method) => {
      const segments = path.split('/').filter(Boolean);
      return {
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(
          `^/${segments.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.]/g, '\\.'))).join('/')}$`,
        ),
        literalSegments: segments.filter((s) => !s.startsWith('{')).length,
      };
    }),
  )
  .sort((a, b) => b.literalSegments - a.literalSegments);

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** An object of the document at a JSON pointer, with its pointer (after following one `$ref`). */
function at(pointer: string): { pointer: string; value: Json } {
  let value: any = document;
  for (const segment of pointer.split('/').slice(1)) {
    value = value?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  if (value?.$ref) return at((value.$ref as string).slice(1));
  return { pointer, value };
}

const validators = new Map<string, ValidateFunction>();
function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

export interface ReceivedAnswer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Why the answer breaks the contract, or `[]` when it keeps it. */
export function contractViolations(answer: ReceivedAnswer): string[] {
  const pathname = new URL(answer.path, 'http://local').pathname;
  const method = answer.method.toUpperCase();
  const onPath = operations.filter((operation) => operation.pattern.test(pathname));
  const operation = onPath.find((candidate) => candidate.method === method);
  const declared = operation
    ? `/paths/${escapePointer(operation.path)}/${method.toLowerCase()}/responses`
    : // What the gateway answers when no operation takes the request.
      '/x-unrouted-responses';
  const expectedUnrouted = onPath.length ? 405 : 404;
  if (!operation && answer.status !== expectedUnrouted) {
    return [`${method} ${pathname} has no operation, so it must be answered ${expectedUnrouted}`];
  }
  const response = at(`${declared}/${answer.status}`);
  if (!response.value) return [`${answer.status} is not a documented answer of ${method} ${pathname}`];
  return [...headerViolations(response.pointer, response.value, answer), ...bodyViolations(response, answer)];
}

function headerViolations(pointer: string, response: Json, answer: ReceivedAnswer): string[] {
  const problems: string[] = [];
  const documented = new Map(
    Object.keys((response.headers ?? {}) as Json).map((name) => [name.toLowerCase(), name]),
  );
  for (const [lowerName, name] of documented) {
    const header = at(`${pointer}/headers/${escapePointer(name)}`);
    const value = answer.headers.get(lowerName);
    if (value === null) {
      if (header.value.required) problems.push(`header ${name} is required but missing`);
      continue;
    }
    const validate = validatorAt(`${header.pointer}/schema`);
    if (!validate(value))
      problems.push(`header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
  }
  for (const name of answer.headers.keys()) {
    // CORS headers belong to the browser's protocol (functions/http/cors.ts), as the document's info says.
    if (!documented.has(name) && !transportHeaders.has(name) && !name.startsWith('access-control-'))
      problems.push(`header ${name} is not documented`);
  }
  return problems;
}

function bodyViolations(response: { pointer: string; value: Json }, answer: ReceivedAnswer): string[] {
  const content = response.value.content as Json | undefined;
  if (!content)
    return answer.body === undefined ? [] : ['the answer has a body, but the document declares none'];
  const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (!(mediaType in content))
    return [`media type "${mediaType}" is not one of ${Object.keys(content).join(', ')}`];
  const validate = validatorAt(`${response.pointer}/content/${escapePointer(mediaType)}/schema`);
  if (validate(answer.body)) return [];
  return [
    `body: ${ajv.errorsText(validate.errors, { dataVar: 'body' })} in ${JSON.stringify(answer.body).slice(0, 600)}`,
  ];
}

/** Throws, naming every violation, when the answer breaks the contract. */
export function assertKeepsContract(answer: ReceivedAnswer): void {
  const violations = contractViolations(answer);
  if (violations.length) {
    throw new Error(
      `${answer.method} ${answer.path} → ${answer.status} breaks the OpenAPI document:\n- ${violations.join('\n- ')}`,
    );
  }
}
