import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the local runtime keeps its state: DynamoDB Local data, signing keys, stream checkpoints. */
export const localStateDir = process.env.DSM_LOCAL_DIR ?? join(repoRoot, '.local');
