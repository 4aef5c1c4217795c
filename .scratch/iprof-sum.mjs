// Sums, over several import profiles, self time by source region of the bundle (by the nearest "// node_modules/..." or "// functions/..." comment above the line)
import { readFileSync, readdirSync } from 'node:fs';
const bundle = readFileSync(process.argv[3], 'utf8').split('\n');
const owner = []; let cur = '(prelude)';
for (const line of bundle) { const m = /^\/\/ (.+\.(?:m?js|ts|cjs|json))$/.exec(line); if (m) cur = m[1].replace(/^node_modules\//, 'nm:').replace(/^(nm:(@[^/]+\/)?[^/]+).*/, '$1').replace(/^(functions\/[^/]+).*/, '$1'); owner.push(cur); }
const totals = new Map(); let all = 0; let files = 0;
for (const f of readdirSync(process.argv[2])) { files++;
  const p = JSON.parse(readFileSync(`${process.argv[2]}/${f}`, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  p.samples.forEach((id, i) => { const n = byId.get(id); const dt = p.timeDeltas[i] ?? 0; all += dt;
    const url = n.callFrame.url; let k;
    if (url.includes('/tmp/fn/')) k = owner[n.callFrame.lineNumber] ?? '?'; else k = (n.callFrame.functionName || '(anon)') + ' ' + url.replace(/^node:/, '');
    totals.set(k, (totals.get(k) ?? 0) + dt); }); }
console.log('avg total per run ms', (all / files / 1000).toFixed(1));
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / files / 1000).toFixed(2).padStart(7), k);
