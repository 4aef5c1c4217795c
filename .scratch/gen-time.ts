const t0 = performance.now();
const { generateDemoData } = await import('../local/demo-data.js');
const { demoChangeRecords } = await import('../local/demo-load.js');
const { projectInMemory } = await import('../local/demo-projections.js');
const t1 = performance.now();
const data = generateDemoData({ now: new Date() });
const t2 = performance.now();
const writes = demoChangeRecords(data, 'ap-northeast-2');
const projections = projectInMemory(writes.map((w) => w.record));
const t3 = performance.now();
const kinds = new Map<string, number>();
for (const p of projections) { const k = String(p.pk).split('#')[0] + ' ' + String(p.sk).split('#')[0]; kinds.set(k, (kinds.get(k) ?? 0) + 1); }
console.log({ import: t1 - t0, generate: t2 - t1, project: t3 - t2, writes: writes.length, projections: projections.length });
console.log([...kinds].sort((a, b) => b[1] - a[1]).slice(0, 25));
