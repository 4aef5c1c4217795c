/** `npm run openapi:types`: writes the client's generated types (see `generate-types.ts`). */
import { writeFile } from 'node:fs/promises';
import { generatedTypes, typesPath } from './generate-types.js';

await writeFile(typesPath, await generatedTypes());
console.log(`wrote ${typesPath}`);
