import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const REDOC_BUNDLE = 'redoc/bundles/redoc.standalone.js';

/**
 * Redoc's standalone bundle (React and all) as text. Deployed, esbuild inlines it into the docs function
 * through the `type: 'text'` import attribute; Node (the local gateway, the tests) does not know that
 * attribute yet and refuses the import, so there it is read from node_modules.
 */
async function redocBundle(): Promise<string> {
  try {
    const module = (await import(REDOC_BUNDLE, { with: { type: 'text' } })) as { default: string };
    return module.default;
  } catch {
    return readFile(createRequire(import.meta.url).resolve(REDOC_BUNDLE), 'utf8');
  }
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
