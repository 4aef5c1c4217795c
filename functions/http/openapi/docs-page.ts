import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Redoc's standalone bundle (React and all, ~1.2 MB): the file the docs function ships next to its code
 * (the CDK copies it into the asset; `bundledFiles` of the docs function) and the package path it comes from.
 */
export const redocFile = {
  name: 'redoc.standalone.js',
  module: 'redoc/bundles/redoc.standalone.js',
} as const;

/**
 * Redoc's bundle as text, read on the first `/docs` request rather than imported, so it costs the function's
 * cold start nothing. Deployed it sits at the root of the function's package, `LAMBDA_TASK_ROOT` (there is
 * no node_modules in a Lambda package, and this code may run from a chunk below the root); run from source
 * (the local gateway, the tests) it is read from node_modules.
 */
async function redocBundle(): Promise<string> {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  const path = taskRoot
    ? join(taskRoot, redocFile.name)
    : createRequire(import.meta.url).resolve(redocFile.module);
  return readFile(path, 'utf8');
}

/** JSON or script text that cannot end the `<script>` element it sits in. */
const inScript = (text: string) => text.replaceAll('</script', '<\\/script').replaceAll('<!--', '<\\!--');

/**
 * A self-contained page rendering the document with Redoc: the bundle and the document are inlined, so the
 * page asks nothing of any other host (it works offline and under a strict Content-Security-Policy).
 */
export async function docsPage(document: object): Promise<string> {
  const spec = JSON.stringify(document).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Digital Service Marketplace API</title>
<style>body { margin: 0; }</style>
</head>
<body>
<div id="redoc"></div>
<script>${inScript(await redocBundle())}</script>
<script>
Redoc.init(${spec}, { hideDownloadButton: false, expandResponses: '200,201', jsonSampleExpandLevel: 3 }, document.getElementById('redoc'));
</script>
</body>
</html>
`;
}
