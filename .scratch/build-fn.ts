import { build } from 'esbuild';
import { cdkBundlingOptions } from '../bench/cold-start.js';
const fn = process.argv[2] ?? 'services';
await build({ ...cdkBundlingOptions, entryPoints: [`functions/handlers/${fn}.ts`], outfile: `/tmp/fn/${fn}/index.mjs`, minify: process.argv[3] !== 'plain', sourcemap: false, metafile: false } as never);
console.log('built', fn);
