/** `npm run token -- --role R [--org ID] [--sub S] [--ttl SECONDS]`: prints a bare JWT the local gateway accepts. */
import { parseArgs } from 'node:util';
import { type Role, roles } from '../functions/domain/caller.js';
import { configuredApiLimits } from './api-limits.js';
import { localSigningKeys, mintToken } from './tokens.js';

const usage = `usage: npm run token -- --role ${roles.join('|')} [--org ID] [--sub SUBJECT] [--ttl SECONDS]`;

try {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '28800' },
    },
    strict: true,
  });
  const role = values.role as Role;
  if (!roles.includes(role)) throw new Error(`--role must be one of ${roles.join(', ')}`);
  if ((role === 'agency' || role === 'provider') && !values.org) {
    throw new Error(`--org is required for ${role} tokens (the agency or provider id they act for)`);
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--ttl must be a positive whole number of seconds');
  const { maxTokenAgeSeconds } = configuredApiLimits();
  if (ttl > maxTokenAgeSeconds) {
    throw new Error(`--ttl must be at most ${maxTokenAgeSeconds}: the authorizer refuses older tokens`);
  }
  const token = await mintToken(
    await localSigningKeys(),
    {
      sub: values.sub ?? `local-${role}${values.org ? `-${values.org}` : ''}`,
      role,
      ...(values.org ? { org: values.org } : {}),
    },
    ttl,
  );
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${usage}\n`);
  process.exit(2);
}
