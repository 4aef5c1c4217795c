import ajvDraft04 from 'ajv-draft-04';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { contractInput } from '../../functions/domain/contract.js';
import { providerInput } from '../../functions/domain/registry.js';
import { serviceInput } from '../../functions/domain/service.js';
import { openApiDocument } from '../../functions/http/openapi/document.js';
import { problem as problemRepresentation } from '../../functions/http/openapi/representations.js';
import { brn, serviceBody } from '../support/fixtures.js';
import { resourcesOf, synthesizeRegionStack } from './support.js';

/*
 * API Gateway refuses a malformed body before a function runs: every method that takes a body has the
 * request validator and the model of its body, built from the same zod schemas as the OpenAPI document.
 */

type Ref = { Ref: string };
interface MethodProps {
  HttpMethod: string;
  ResourceId: Ref | { 'Fn::GetAtt': [string, string] };
  OperationName: string;
  RequestValidatorId?: Ref;
  RequestModels?: Record<string, Ref>;
}
interface ModelProps {
  Name: string;
  ContentType: string;
  Schema: Record<string, unknown>;
}

let template: Template;
const document = openApiDocument();

beforeAll(() => {
  ({ template } = synthesizeRegionStack());
}, 120_000);

const methods = () =>
  Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).map(
    (method) => method.Properties as unknown as MethodProps,
  );
const models = () =>
  Object.fromEntries(
    Object.entries(resourcesOf(template, 'AWS::ApiGateway::Model')).map(([id, model]) => [
      id,
      model.Properties as unknown as ModelProps,
    ]),
  );

/** The model schema API Gateway would validate a route's body with. */
function modelOf(operationName: string): ModelProps {
  const method = methods().find((candidate) => candidate.OperationName === operationName);
  const ref = method?.RequestModels?.['application/json']?.Ref;
  const model = ref ? models()[ref] : undefined;
  if (!model) throw new Error(`No JSON model on ${operationName}`);
  return model;
}

/** A draft 4 validator, as API Gateway models are written in (the CommonJS module's class is `.default`). */
function validatorOf(operationName: string) {
  const ajv = new ajvDraft04.default({ allErrors: true });
  return ajv.compile(modelOf(operationName).Schema);
}

describe('request validation at the edge (API Gateway)', () => {
  it('puts a body validator and the body’s model on every method that takes a body, and on no other', () => {
    const validators = Object.entries(resourcesOf(template, 'AWS::ApiGateway::RequestValidator'));
    expect(validators).toHaveLength(1);
    const [validatorId, validator] = validators[0]!;
    expect(validator.Properties).toMatchObject({
      Name: 'json-body',
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });

    const validated = methods()
      .filter((method) => method.RequestValidatorId)
      .map((method) => {
        expect(method.RequestValidatorId).toEqual({ Ref: validatorId });
        const modelId = method.RequestModels?.['application/json']?.Ref ?? '';
        return `${method.OperationName} → ${models()[modelId]?.Name}`;
      })
      .sort();
    expect(validated).toEqual([
      'PATCH /v1/cases/{id} → CasePatch',
      'PATCH /v1/services/{id} → ServicePatch',
      'PATCH /v1/webhooks/{id} → WebhookPatch',
      'POST /v1/agencies → AgencyInput',
      'POST /v1/cases → CaseInput',
      'POST /v1/cases/{id}/award → AwardInput',
      'POST /v1/cases/{id}/close → CloseInput',
      'POST /v1/cases/{id}/quotes → QuotesInput',
      'POST /v1/cases/{id}/searches → SearchInput',
      'POST /v1/contracts → ContractInput',
      'POST /v1/contracts/{id}/amend → AmendInput',
      'POST /v1/contracts/{id}/quote → QuoteInput',
      'POST /v1/contracts/{id}/renew → RenewInput',
      'POST /v1/providers → ProviderInput',
      'POST /v1/review-sessions → ReviewSessionInput',
      'POST /v1/review-sessions/{number}/agenda → AgendaInput',
      'POST /v1/review-sessions/{number}/decisions → DecisionInput',
      'POST /v1/services → ServiceInput',
      'POST /v1/services/{id}/revert → RevertInput',
      'POST /v1/webhooks → WebhookInput',
    ]);
    // Methods without a validator take no model either (the lifecycle POSTs take no body, and a terminate's
    // is optional, so only the function checks it).
    expect(methods().filter((method) => !method.RequestValidatorId && method.RequestModels)).toEqual([]);
  });

  it('validates exactly the bodies the OpenAPI document requires, with the same fields', () => {
    const paths = document.paths as Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
    const declared = Object.entries(paths)
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => operation.requestBody?.required)
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    const validated = methods()
      .filter((method) => method.RequestModels)
      .map((method) => method.OperationName)
      .sort();
    expect(validated).toEqual(declared);

    const components = document.components.schemas as Record<string, Record<string, unknown>>;
    for (const model of Object.values(models())) {
      const component = components[model.Name];
      expect(model.ContentType).toBe('application/json');
      expect(model.Schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      expect(Object.keys(model.Schema.properties as object)).toEqual(
        Object.keys(component?.properties as object),
      );
      expect(model.Schema.required).toEqual(component?.required);
      expect(model.Schema.additionalProperties).toBe(false);
    }
  });

  it('refuses malformed contract requests at the edge and passes well-formed ones on', () => {
    const valid = { serviceId: 'svc-1', planId: 'basic', quantity: 3, months: 12, method: 'CATALOG' };
    const validate = validatorOf('POST /v1/contracts');
    expect(validate(valid)).toBe(true);
    for (const malformed of [
      {},
      { ...valid, quantity: '3' },
      { ...valid, quantity: 0 },
      { ...valid, quantity: 2.5 },
      { ...valid, months: 121 },
      { ...valid, method: 'BARTER' },
      { ...valid, serviceId: '' },
      { ...valid, amountKrw: 1 },
      [valid],
      'contract',
    ]) {
      expect(validate(malformed), JSON.stringify(malformed)).toBe(false);
      expect(contractInput().safeParse(malformed).success, JSON.stringify(malformed)).toBe(false);
    }
  });

  it('never refuses a body the function accepts; what needs trimming or the store is left to the function', () => {
    const cases: [string, z.ZodMiniType, unknown[], unknown[]][] = [
      [
        'POST /v1/services',
        serviceInput(),
        [serviceBody(), serviceBody({ csap: null, networks: ['INTERNET', 'INTRANET'] })],
        // Lengths are measured after trimming and normalising: the model cannot say so, the function does.
        [serviceBody({ name: 'x'.repeat(201) }), serviceBody({ summary: ` ${'요'.repeat(2001)} ` })],
      ],
      [
        'POST /v1/providers',
        providerInput(),
        [
          { name: '클라우드 주식회사', businessRegistrationNumber: brn('123456789'), contactEmail: 'a@b.kr' },
          {
            name: 'Cloud Co',
            businessRegistrationNumber: brn('220811234').replace(/^(\d{3})(\d{2})/, '$1-$2-'),
            contactEmail: 'ops+dsm@cloud.co.kr',
          },
        ],
        // A wrong check digit is a custom check: only the function knows it.
        [{ name: 'Cloud Co', businessRegistrationNumber: '1234567890', contactEmail: 'a@b.kr' }],
      ],
    ];
    for (const [operation, schema, accepted, leftToTheFunction] of cases) {
      const validate = validatorOf(operation);
      for (const body of accepted) {
        expect(schema.safeParse(body).success, JSON.stringify(body)).toBe(true);
        expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      }
      for (const body of leftToTheFunction) {
        expect(validate(body), JSON.stringify(body)).toBe(true);
        expect(schema.safeParse(body).success, JSON.stringify(body)).toBe(false);
      }
    }
  });

  it('refuses text that is only white space, as the document states, like the function', () => {
    const validate = validatorOf('POST /v1/services');
    for (const body of [serviceBody({ name: '   ' }), serviceBody({ summary: ' \t ' })]) {
      expect(validate(body), JSON.stringify(body)).toBe(false);
      expect(serviceInput().safeParse(body).success).toBe(false);
    }
  });

  it('answers a refused body as problem+json, the shape of the function’s 400', () => {
    const responses = Object.values(resourcesOf(template, 'AWS::ApiGateway::GatewayResponse')).map(
      (response) => response.Properties as Record<string, any>,
    );
    const invalidBody = responses.find((response) => response.ResponseType === 'BAD_REQUEST_BODY');
    expect(invalidBody?.ResponseParameters['gatewayresponse.header.Content-Type']).toBe(
      "'application/problem+json'",
    );
    // The gateway substitutes its context variables; a message stands in for them here.
    const body = JSON.parse(
      (invalidBody?.ResponseTemplates['application/json'] as string)
        .replaceAll('$context.error.validationErrorString', '[object has missing required properties]')
        .replaceAll('$context.requestId', 'c0ffee'),
    );
    expect(body).toEqual({
      type: '/problems/invalid',
      title: 'The request is not valid',
      status: 400,
      detail: 'The request body is not valid (checked by the API gateway).',
      errors: [{ path: '/', message: '[object has missing required properties]' }],
      requestId: 'c0ffee',
    });
  });
});

describe('the API gateway’s own error answers', () => {
  it('are problem+json bodies the document’s Problem schema accepts, with the request id', () => {
    const responses = Object.values(resourcesOf(template, 'AWS::ApiGateway::GatewayResponse')).map(
      (response) =>
        response.Properties as unknown as {
          ResponseType: string;
          ResponseTemplates: Record<string, string>;
        },
    );
    expect(responses.map((response) => response.ResponseType).sort()).toEqual([
      'ACCESS_DENIED',
      'BAD_REQUEST_BODY',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
      'REQUEST_TOO_LARGE',
      'THROTTLED',
      'UNAUTHORIZED',
    ]);
    for (const response of responses) {
      // As API Gateway fills the template in: messageString comes quoted, validationErrorString does not.
      const body = (response.ResponseTemplates['application/json'] ?? '')
        .replaceAll('$context.requestId', 'c0ffee00-0000-4000-8000-000000000000')
        .replaceAll('$context.error.messageString', '"Forbidden"')
        .replaceAll('$context.error.validationErrorString', '[instance failed to match]');
      const parsed = problemRepresentation.safeParse(JSON.parse(body));
      expect(parsed.success, `${response.ResponseType}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(parsed.data?.requestId, response.ResponseType).toBe('c0ffee00-0000-4000-8000-000000000000');
    }
  });
});
