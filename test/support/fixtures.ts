import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../functions/adapters/dynamodb/client.js';
import { entityItem, tableOf } from '../../functions/adapters/dynamodb/entity-store.js';
import { requestedContract } from '../../functions/domain/contract.js';
import type { EntityKind } from '../../functions/domain/ports.js';
import type { TestApi } from './local-api.js';
import type { Contract, Entity, Service } from '../../functions/domain/entities.js';

/** A valid business registration number for a 9-digit stem (computes the check digit). */
export function brn(stem: string): string {
  const weights = [1, 3, 7, 1, 3, 7, 1, 3, 5];
  const d = [...stem].map(Number);
  let sum = d.reduce((acc, digit, i) => acc + digit * (weights[i] ?? 0), 0);
  sum += Math.floor(((d[8] ?? 0) * 5) / 10);
  return `${stem}${(10 - (sum % 10)) % 10}`;
}

export const serviceBody = (overrides: Record<string, unknown> = {}) => ({
  name: '생성형 AI 문서 자동화',
  summary: '공공 문서 초안 작성과 요약을 자동화',
  category: 'CONVERGENCE',
  ai: true,
  networks: ['INTERNET'],
  csap: { grade: 'HIGH', certificateNumber: 'CSAP-2025-0001', validUntil: '2030-12-31' },
  plans: [{ id: 'basic', name: '기본', unit: '사용자/월', unitPriceKrw: 15000 }],
  ...overrides,
});

export async function createProvider(
  api: TestApi,
  stem: string,
  name = `테스트 공급자 ${stem}`,
): Promise<string> {
  const res = await api.call('POST', '/v1/providers', {
    token: await api.token('admin'),
    body: { name, businessRegistrationNumber: brn(stem), contactEmail: `sales-${stem}@example.kr` },
  });
  if (res.status !== 201) throw new Error(`provider: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Registers an agency through the API (as an admin would) and answers its id. */
export async function createAgency(
  api: TestApi,
  code: string,
  options: { name?: string; kind?: string; network?: 'INTERNET' | 'INTRANET' } = {},
): Promise<string> {
  const res = await api.call('POST', '/v1/agencies', {
    token: await api.token('admin'),
    body: {
      name: options.name ?? `테스트 기관 ${code}`,
      institutionCode: code,
      kind: options.kind ?? 'CENTRAL',
      network: options.network ?? 'INTERNET',
    },
  });
  if (res.status !== 201) throw new Error(`agency: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

let seeded = 0;

/**
 * Stores a service in a state no catalog route reaches yet (LISTED, SUSPENDED: the review committee's
 * routes make those), the way the entity store stores it.
 */
export async function seedService(
  api: TestApi,
  providerId: string,
  overrides: Partial<Service> = {},
): Promise<Service> {
  seeded += 1;
  const now = new Date().toISOString();
  const service: Service = {
    id: `svc_seed${String(seeded).padStart(4, '0')}${Math.random().toString(36).slice(2, 10)}`,
    providerId,
    name: `서비스 ${seeded}`,
    summary: '클라우드 서비스',
    category: 'SAAS',
    ai: false,
    networks: ['INTERNET'],
    csap: null,
    plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 10000 }],
    status: 'LISTED',
    selection: { sessionNumber: 62, decidedAt: now, validUntil: '2099-12-31' },
    createdAt: now,
    updatedAt: now,
    version: 3,
    ...overrides,
  };
  return seedEntity(api, 'service', service);
}

/** Stores an entity exactly as the entity store would, in any state. */
async function seedEntity<T extends Entity>(api: TestApi, kind: EntityKind, entity: T): Promise<T> {
  const db = DynamoDBDocumentClient.from(api.region.client);
  const change = {
    actor: { sub: 'fixture', role: 'admin' },
    action: 'seed',
    at: entity.createdAt,
    region: api.region.region,
  };
  await db.send(
    new PutCommand({ TableName: tableName(tableOf[kind]), Item: entityItem(kind, entity, change) }),
  );
  return entity;
}

/** A contract between existing parties, stored in any state. */
export async function seedContract(
  api: TestApi,
  parties: Pick<Contract, 'agencyId' | 'serviceId' | 'providerId'>,
  overrides: Partial<Contract> = {},
): Promise<Contract> {
  seeded += 1;
  const requestedAt = new Date(Date.now() - 86_400_000).toISOString();
  return seedEntity(api, 'contract', {
    ...requestedContract({
      id: `ctr_seed${String(seeded).padStart(4, '0')}${Math.random().toString(36).slice(2, 10)}`,
      serviceVersion: 3,
      ...parties,
      planId: 'basic',
      quantity: 1,
      months: 12,
      method: 'CATALOG',
      catalogAmountKrw: 120_000,
      requestedAt,
    }),
    ...overrides,
  });
}

/** An API Gateway proxy event for `method path`, as the gateway hands it to a function (no body). */
export function proxyEvent(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  requestContext: Record<string, unknown> = { accountId: '000000000000', apiId: 'local', stage: 'local' },
): APIGatewayProxyEvent {
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext,
  } as unknown as APIGatewayProxyEvent;
}
