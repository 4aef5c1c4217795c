/**
 * CORS in the synthesized API (issue 26): preflights answered by API Gateway itself from the route table
 * and the configured origins, the gateway's own answers carrying the CORS headers, and the functions told
 * the origins.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { corsAllowedHeaders, corsExposedHeaders } from '../../functions/http/cors.js';
import { routeTable } from '../../functions/routes.js';
import { loadCorsOrigins } from '../../infra/config.js';
import { cdkJsonContext, resourcesOf, synthesizeRegionStack } from './support.js';

type Ref = { Ref: string };
interface MethodProps {
  HttpMethod: string;
  ResourceId: Ref | { 'Fn::GetAtt': [string, string] };
  AuthorizationType?: string;
  Integration?: {
    Type: string;
    RequestTemplates?: Record<string, string>;
    IntegrationResponses?: {
      StatusCode: string;
      ResponseParameters?: Record<string, string>;
      ResponseTemplates?: Record<string, string>;
    }[];
  };
}

const origins = ['https://front.example.go.kr', 'https://ministry.example.go.kr'];
let template: Template;
beforeAll(() => {
  ({ template } = synthesizeRegionStack('ap-northeast-2', {
    ...cdkJsonContext(),
    'marketplace:corsOrigins': origins,
  }));
}, 120_000);

/** Each method with the path of its resource. */
function methodsByPath(): { path: string; method: MethodProps }[] {
  const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: MethodProps['ResourceId']): string => {
    if ('Fn::GetAtt' in ref) return '';
    const resource = resources[ref.Ref]?.Properties as { ParentId: Ref; PathPart: string } | undefined;
    if (!resource) throw new Error(`No resource ${ref.Ref}`);
    return `${pathOf(resource.ParentId)}/${resource.PathPart}`;
  };
  return Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).map((resource) => {
    const method = resource.Properties as unknown as MethodProps;
    return { path: pathOf(method.ResourceId), method };
  });
}

describe('CORS on the REST API', () => {
  it('answers a preflight on every path of the route table from a MOCK integration, no authorizer', () => {
    const preflights = methodsByPath().filter(({ method }) => method.HttpMethod === 'OPTIONS');
    const paths = [...new Set(routeTable.map((route) => route.path))].sort();
    expect(preflights.map(({ path }) => path).sort()).toEqual(paths);
    for (const { path, method } of preflights) {
      expect(method.Integration?.Type, path).toBe('MOCK');
      expect(method.AuthorizationType ?? 'NONE', path).toBe('NONE');
      const [answer] = method.Integration?.IntegrationResponses ?? [];
      expect(answer?.StatusCode).toBe('204');
      const parameters = answer?.ResponseParameters ?? {};
      const methods = routeTable.filter((route) => route.path === path).map((route) => route.method);
      expect(parameters['method.response.header.Access-Control-Allow-Methods']).toBe(
        `'${[...new Set(methods), 'OPTIONS'].join(',')}'`,
      );
      expect(parameters['method.response.header.Access-Control-Allow-Headers']).toBe(
        `'${corsAllowedHeaders.join(',')}'`,
      );
      expect(parameters['method.response.header.Access-Control-Allow-Credentials']).toBeUndefined();
      // The listed origins only: the first by default, and the template names the request's origin back
      // when it is another of them; any other origin sees an origin not its own, which browsers refuse.
      expect(parameters['method.response.header.Access-Control-Allow-Origin']).toBe(`'${origins[0]}'`);
      const template = answer?.ResponseTemplates?.['application/json'] ?? '';
      for (const origin of origins.slice(1)) expect(template).toContain(`$origin == "${origin}"`);
      expect(template).not.toContain('*');
    }
  });

  it('puts the CORS headers on every gateway response', () => {
    const responses = Object.values(resourcesOf(template, 'AWS::ApiGateway::GatewayResponse'));
    expect(responses.length).toBeGreaterThan(0);
    for (const response of responses) {
      const headers = (response.Properties as { ResponseParameters: Record<string, string> })
        .ResponseParameters;
      expect(headers['gatewayresponse.header.access-control-allow-origin']).toBe("'*'");
      expect(headers['gatewayresponse.header.access-control-expose-headers']).toBe(
        `'${corsExposedHeaders.join(', ')}'`,
      );
    }
  });

  it('tells every API function the allowed origins', () => {
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((fn) =>
      String((fn.Properties as { Description?: string }).Description).startsWith('Marketplace API '),
    );
    const api = functions.filter(
      (fn) => !String((fn.Properties as { Description?: string }).Description).includes('authorizer'),
    );
    expect(api.length).toBe(11);
    for (const fn of api) {
      const variables = (fn.Properties as { Environment: { Variables: Record<string, string> } }).Environment
        .Variables;
      expect(variables.CORS_ALLOWED_ORIGINS).toBe(origins.join(','));
    }
  });
});

describe('the allowed origins', () => {
  it('are read from cdk.json', () => {
    expect(loadCorsOrigins(cdkJsonContext()).length).toBeGreaterThan(0);
  });

  it('refuse "*", paths and plain http off this machine, naming the key', () => {
    for (const bad of [['*'], ['https://a.kr/path'], ['http://front.example.go.kr'], 'https://a.kr']) {
      expect(() => loadCorsOrigins({ 'marketplace:corsOrigins': bad })).toThrow(/marketplace:corsOrigins/);
    }
    expect(loadCorsOrigins({ 'marketplace:corsOrigins': ['http://127.0.0.1:3180'] })).toEqual([
      'http://127.0.0.1:3180',
    ]);
  });
});
