import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas; let total = 0;
const counts = new Map();
p.samples.forEach((id, i) => { counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)); total += dt[i] ?? 0; });
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const short = (u) => u.replace(/^file:\/\/\/work\/main\//, '').replace(/node_modules\/(\.pnpm\/)?/, 'nm:');
const fnSelf = new Map(), pkgIncl = new Map(), fnIncl = new Map();
for (const [id, t] of counts) {
  const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber}`;
  fnSelf.set(k, (fnSelf.get(k) ?? 0) + t);
  const seenPkg = new Set(), seenFn = new Set();
  for (let x = id; x !== undefined; x = parent.get(x)) { const m = byId.get(x); const u = short(m.callFrame.url);
    const pkg = u.startsWith('nm:') ? u.split('/').slice(0, u.split('/')[0] === 'nm:@aws-sdk' || u.includes('nm:@') ? 2 : 1).join('/') : u.split('/').slice(0, 2).join('/');
    if (!seenPkg.has(pkg)) { seenPkg.add(pkg); pkgIncl.set(pkg, (pkgIncl.get(pkg) ?? 0) + t); }
    const fk = `${m.callFrame.functionName || '(anon)'} ${u}:${m.callFrame.lineNumber}`;
    if (!seenFn.has(fk)) { seenFn.add(fk); fnIncl.set(fk, (fnIncl.get(fk) ?? 0) + t); } }
}
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(6)} ms ${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log('total', (total / 1000).toFixed(0), 'ms');
console.log('--- self\n' + top(fnSelf, Number(process.argv[3] ?? 40)));
console.log('--- inclusive by package/dir\n' + top(pkgIncl, 40));
console.log('--- inclusive by function\n' + top(fnIncl, Number(process.argv[4] ?? 60)));
