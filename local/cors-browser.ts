/**
 * `npm run cors:browser`: CORS proven in a real browser (headless Chromium). Starts its own `npm start --
 * --empty` whose only allowed front-end origin (`-c marketplace:corsOrigins=…`, the key the CDK reads) is
 * a page served here from another 127.0.0.1 port, and serves the same page from a second port that is not
 * listed. The page reads the catalog anonymously, then changes a service as its provider with a bearer
 * token, `Idempotency-Key` and `If-Match` (which needs a preflight) and reads the exposed `ETag`. Passes
 * when the listed origin does both (its preflight seen by the gateway) and the other one reads the catalog
 * but is refused the write. Writes a screenshot of each page under `.local/`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { freePort } from './dynamodb-local.js';
import { localStateDir } from './paths.js';
import { Scratch } from './scratch.js';
import { localSigningKeys, mintToken } from './tokens.js';

const scratch = new Scratch();

/** The page: two calls, their outcome written into the document for the browser to dump. */
function page(api: string, serviceId: string, token: string): string {
  const script = `
const api = ${JSON.stringify(api)};
const results = {};
async function run() {
  try {
    const read = await fetch(api + '/v1/services?limit=5');
    results.read = read.status + ' ' + (await read.json()).items.length + ' items';
  } catch (error) { results.read = 'refused: ' + error.message; }
  try {
    const write = await fetch(api + '/v1/services/${serviceId}', {
      method: 'PATCH',
      headers: {
        authorization: 'Bearer ${token}',
        'content-type': 'application/json',
        'idempotency-key': 'browser-' + location.port,
        'if-match': '"1"',
      },
      body: JSON.stringify({ summary: 'Changed from ' + location.origin }),
    });
    results.write = write.status + ' etag ' + write.headers.get('etag');
  } catch (error) { results.write = 'refused: ' + error.message; }
  document.getElementById('out').textContent = JSON.stringify(results);
}
run();`;
  return `<!doctype html><meta charset="utf-8"><title>CORS check</title>
<body style="font: 20px sans-serif; padding: 2em"><h1>CORS check from <script>document.write(location.origin)</script></h1>
<pre id="out" style="font-size: 22px; white-space: pre-wrap">pending</pre><script>${script}</script></body>`;
}

function serve(port: number, html: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const run = promisify(execFile);

/**
 * What the page wrote once its calls finished, as headless Chromium renders it; and a screenshot. Run
 * asynchronously: the pages are served by this very process.
 */
async function visit(url: string, screenshot: string): Promise<Record<string, string>> {
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=15000'];
  const { stdout: dom } = await run('chromium', [...flags, '--dump-dom', url], { timeout: 60_000 });
  await run('chromium', [...flags, `--screenshot=${screenshot}`, '--window-size=1100,500', url], {
    timeout: 60_000,
  });
  const out = /<pre id="out"[^>]*>([^<]*)<\/pre>/.exec(dom)?.[1] ?? '';
  return out.startsWith('{') ? (JSON.parse(out.replaceAll('&quot;', '"')) as Record<string, string>) : {};
}

async function main(): Promise<boolean> {
  const [listedPort, otherPort] = [await freePort(), await freePort()];
  const listed = `http://127.0.0.1:${listedPort}`;
  const stateDir = await scratch.directory('dsm-cors-');
  const requests: string[] = [];
  const api = await scratch.startGateway(stateDir, ['-c', `marketplace:corsOrigins=["${listed}"]`], (line) =>
    requests.push(line),
  );
  const keys = await localSigningKeys(stateDir);
  const admin = await mintToken(keys, { sub: 'cors-admin', role: 'admin' });
  const registered = await fetch(`${api}/v1/providers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: '브라우저 공급자',
      businessRegistrationNumber: '1248100998',
      contactEmail: 'b@c.kr',
    }),
  });
  const providerId = ((await registered.json()) as { id: string }).id;
  const provider = await mintToken(keys, { sub: 'cors-provider', role: 'provider', org: providerId });
  const draft = async () => {
    const created = await fetch(`${api}/v1/services`, {
      method: 'POST',
      headers: { authorization: `Bearer ${provider}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: '브라우저 시험 서비스',
        summary: '다른 출처에서 바꾸는 서비스',
        category: 'SAAS',
        ai: false,
        networks: ['INTERNET'],
        csap: null,
        plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 1000 }],
      }),
    });
    return ((await created.json()) as { id: string }).id;
  };
  const servers = [
    await serve(listedPort, page(api, await draft(), provider)),
    await serve(otherPort, page(api, await draft(), provider)),
  ];
  try {
    const fromListed = await visit(`${listed}/`, join(localStateDir, 'cors-listed.png'));
    const fromOther = await visit(`http://127.0.0.1:${otherPort}/`, join(localStateDir, 'cors-unlisted.png'));
    const preflights = requests.filter((line) => line.startsWith('OPTIONS '));
    process.stdout.write(
      [
        `listed origin ${listed}: ${JSON.stringify(fromListed)}`,
        `unlisted origin http://127.0.0.1:${otherPort}: ${JSON.stringify(fromOther)}`,
        `preflights the gateway answered: ${preflights.join('; ')}`,
        `screenshots: ${join(localStateDir, 'cors-listed.png')}, ${join(localStateDir, 'cors-unlisted.png')}`,
        '',
      ].join('\n'),
    );
    return (
      /^200 /.test(fromListed.read ?? '') &&
      fromListed.write === '200 etag "2"' &&
      /^200 /.test(fromOther.read ?? '') &&
      (fromOther.write ?? '').startsWith('refused') &&
      preflights.length >= 2
    );
  } finally {
    for (const server of servers) server.close();
  }
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  process.stdout.write(`cors check failed: ${(error as Error).stack}\n`);
} finally {
  await scratch.stop();
}
process.stdout.write(passed ? 'PASSED\n' : 'FAILED\n');
process.exit(passed ? 0 : 1);
