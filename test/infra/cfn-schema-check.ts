import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type {
  Property,
  PropertyType,
  Resource,
  SpecDatabase,
  TypeDefinition,
} from '@aws-cdk/service-spec-types';

/**
 * Checks synthesized CloudFormation templates against CloudFormation's own resource specification, the one
 * the CDK generates its L1 classes from (`@aws-cdk/aws-service-spec`, pinned in package.json): every resource
 * type exists; every property is known, of the right type and, where the spec lists them, one of the allowed
 * values; every required property is there; every `Fn::GetAtt` names an attribute the target type has and
 * every `Ref` a resource or parameter of the template. cdk-nag checks practice, this checks validity.
 *
 * Values built with intrinsic functions (`Fn::Join`, `Ref`, ...) are only known at deploy time: they are
 * accepted wherever a scalar or a list may stand, and only their own references are checked.
 */

/** One finding: where in the template, and what is wrong. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

export type CfnTemplate = {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Parameters?: Record<string, unknown>;
  Outputs?: Record<string, { Value?: unknown }>;
  Conditions?: Record<string, unknown>;
  [key: string]: unknown;
};

const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::ImportValue',
  'Fn::GetAZs',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::ToJsonString',
  'Fn::Length',
  'Fn::Transform',
]);

/** The keys a resource entry may carry besides `Type` and `Properties`. */
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Metadata',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
]);

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

let loaded: SpecDatabase | undefined;

/** The CloudFormation resource specification (a gzipped JSON database, about 1.5 s to load; loaded once). */
export function cfnSpec(): SpecDatabase {
  loaded ??= loadAwsServiceSpecSync();
  return loaded;
}

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSICS.has(keys[0] as string);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Checks one template; returns every problem found (none: the template fits the specification). */
export function checkTemplate(template: CfnTemplate, db: SpecDatabase = cfnSpec()): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const resources = template.Resources ?? {};
  const resourceTypes = new Map<string, Resource | 'custom'>();

  for (const [logicalId, resource] of Object.entries(resources)) {
    const path = `Resources.${logicalId}`;
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') {
      resourceTypes.set(logicalId, 'custom');
      if (!resource.Properties || !('ServiceToken' in resource.Properties)) {
        problems.push({ path, message: 'a custom resource needs ServiceToken' });
      }
      continue;
    }
    if (resource.Type === 'AWS::CDK::Metadata') continue;
    const spec = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type)[0];
    if (!spec) {
      problems.push({ path, message: `unknown resource type ${resource.Type}` });
      continue;
    }
    resourceTypes.set(logicalId, spec);
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key))
        problems.push({ path: `${path}.${key}`, message: `unknown resource attribute ${key}` });
    }
    checkProperties(db, spec.properties, resource.Properties ?? {}, `${path}.Properties`, problems);
  }

  const checkReferences = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => checkReferences(item, `${path}[${i}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') {
        if (
          !PSEUDO_PARAMETERS.has(inner) &&
          !(inner in resources) &&
          !(inner in (template.Parameters ?? {}))
        ) {
          problems.push({ path, message: `Ref to ${inner}, which is neither a resource nor a parameter` });
        }
      } else if (key === 'Fn::GetAtt') {
        const [target, attribute] = Array.isArray(inner)
          ? (inner as unknown[])
          : typeof inner === 'string'
            ? inner.split(/\.(.*)/s)
            : [];
        checkGetAtt(resourceTypes, resources, target, attribute, path, problems);
      }
      checkReferences(inner, `${path}.${key}`);
    }
  };
  for (const [logicalId, resource] of Object.entries(resources)) {
    checkReferences(resource, `Resources.${logicalId}`);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {}))
    checkReferences(output, `Outputs.${name}`);
  return problems;
}

function checkGetAtt(
  resourceTypes: ReadonlyMap<string, Resource | 'custom'>,
  resources: NonNullable<CfnTemplate['Resources']>,
  target: unknown,
  attribute: unknown,
  path: string,
  problems: SchemaProblem[],
): void {
  if (typeof target !== 'string' || typeof attribute !== 'string') {
    problems.push({ path, message: `Fn::GetAtt needs a resource and an attribute name` });
    return;
  }
  if (!(target in resources)) {
    problems.push({ path, message: `Fn::GetAtt on ${target}, which is not a resource of this template` });
    return;
  }
  const spec = resourceTypes.get(target);
  if (!spec || spec === 'custom') return; // custom resources return whatever their provider sends
  if (!(attribute in spec.attributes)) {
    problems.push({
      path,
      message: `${spec.cloudFormationType} has no attribute ${attribute} (has: ${Object.keys(spec.attributes).join(', ') || 'none'})`,
    });
  }
}

function checkProperties(
  db: SpecDatabase,
  spec: Readonly<Record<string, Property>>,
  value: unknown,
  path: string,
  problems: SchemaProblem[],
): void {
  if (isIntrinsic(value)) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path, message: `expected an object, got ${describe(value)}` });
    return;
  }
  const given = value as Record<string, unknown>;
  for (const [name, property] of Object.entries(spec)) {
    if (property.required && !(name in given))
      problems.push({ path, message: `required property ${name} is missing` });
  }
  for (const [name, inner] of Object.entries(given)) {
    const property = spec[name];
    if (!property) {
      const known = Object.keys(spec);
      const near = known.find((candidate) => editDistance(candidate.toLowerCase(), name.toLowerCase()) <= 2);
      problems.push({
        path: `${path}.${name}`,
        message: `unknown property ${name}${near ? ` (did you mean ${near}?)` : ''}`,
      });
      continue;
    }
    const types = [property.type, ...(property.previousTypes ?? [])];
    checkAgainstAny(db, types, inner, `${path}.${name}`, problems);
  }
}

/** A value fits if it fits any of the types (a union, or a property's current and previous types). */
function checkAgainstAny(
  db: SpecDatabase,
  types: readonly PropertyType[],
  value: unknown,
  path: string,
  problems: SchemaProblem[],
): void {
  let best: SchemaProblem[] | undefined;
  for (const type of types) {
    const found: SchemaProblem[] = [];
    checkValue(db, type, value, path, found);
    if (found.length === 0) return;
    if (!best || found.length < best.length) best = found;
  }
  problems.push(...(best ?? []));
}

function checkValue(
  db: SpecDatabase,
  type: PropertyType,
  value: unknown,
  path: string,
  problems: SchemaProblem[],
): void {
  // A deploy-time value: its type is the function's, checked by CloudFormation; references are checked above.
  if (isIntrinsic(value)) return;
  const wrong = (expected: string) =>
    problems.push({ path, message: `expected ${expected}, got ${describe(value)}` });
  switch (type.type) {
    case 'string': {
      // CloudFormation turns numbers and booleans into strings where a string is expected.
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        return void wrong('a string');
      if (type.allowedValues && !type.allowedValues.includes(String(value))) {
        problems.push({ path, message: `${describe(value)} is not one of ${type.allowedValues.join(', ')}` });
      }
      return;
    }
    case 'number':
    case 'integer': {
      const numeric =
        typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));
      if (!numeric) return void wrong(type.type === 'integer' ? 'an integer' : 'a number');
      if (type.type === 'integer' && !Number.isInteger(Number(value))) return void wrong('an integer');
      if (type.type === 'integer' && type.allowedValues && !type.allowedValues.includes(Number(value))) {
        problems.push({ path, message: `${describe(value)} is not one of ${type.allowedValues.join(', ')}` });
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') wrong('a boolean');
      return;
    case 'json':
      return;
    case 'date-time':
      if (typeof value !== 'string') wrong('a date-time string');
      return;
    case 'null':
      if (value !== null) wrong('null');
      return;
    case 'tag': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return void wrong('a tag');
      const tag = value as Record<string, unknown>;
      for (const key of Object.keys(tag)) {
        if (key !== 'Key' && key !== 'Value')
          problems.push({ path: `${path}.${key}`, message: `unknown tag field ${key}` });
      }
      if (!('Key' in tag)) problems.push({ path, message: 'a tag needs Key' });
      return;
    }
    case 'array':
      if (!Array.isArray(value)) return void wrong('a list');
      value.forEach((item, i) => checkValue(db, type.element, item, `${path}[${i}]`, problems));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return void wrong('a map');
      for (const [key, item] of Object.entries(value))
        checkValue(db, type.element, item, `${path}.${key}`, problems);
      return;
    case 'union':
      checkAgainstAny(db, type.types, value, path, problems);
      return;
    case 'ref': {
      const definition = db.get('typeDefinition', type.reference.$ref) as TypeDefinition;
      checkProperties(db, definition.properties, value, path, problems);
      return;
    }
  }
}

/** Levenshtein distance, for "did you mean" on a misspelled property. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
