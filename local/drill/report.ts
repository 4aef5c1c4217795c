/**
 * How a drill's results are shown: a text table for the terminal, and a self-contained HTML page for
 * operators (inline SVG, nothing fetched) with a timeline per scenario, requests per second by outcome
 * and Region with the fault and heal marked, and the same table.
 */
import type { DrillReport, DrillResult } from './drill.js';
import { HUNG_AFTER_MS, type Outcome } from './load.js';

const codes = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);

/** The report's rows: a label, then one value per scenario. */
function rows(reports: readonly DrillReport[]): [string, ...string[]][] {
  const row = (label: string, value: (r: DrillReport) => string): [string, ...string[]] => [
    label,
    ...reports.map(value),
  ];
  return [
    row('scenario', (r) => r.scenario),
    row('mode', (r) => r.mode),
    row(
      'client latency p50 / p99 / max',
      (r) => `${r.latencyMs.p50} / ${r.latencyMs.p99} / ${r.latencyMs.max} ms`,
    ),
    row(`hung (no answer within ${HUNG_AFTER_MS / 1000} s)`, (r) => `${r.hung} of ${r.requests} requests`),
    row(
      'flows started / completed / failed',
      (r) =>
        `${r.flows.started} / ${r.flows.completed} / ${r.flows.failed}${r.flows.failed ? ` (last answer: ${codes(r.flows.failedBy)})` : ''}`,
    ),
    row('RTO (fault → first success through the front)', (r) => (r.rtoMs === null ? 'never' : ms(r.rtoMs))),
    row('acknowledged writes', (r) => String(r.acknowledged)),
    row('lost after convergence (RPO)', (r) => String(r.lost)),
    row('acknowledged before the fault, missing from the other Region', (r) => String(r.missingAtFailover)),
    row('duplicate contracts for one idempotency key', (r) => String(r.duplicates)),
    row('webhook deliveries expected / delivered / missing / delivered twice', (r) =>
      r.events
        ? `${r.events.expected} / ${r.events.delivered} / ${r.events.missing} / ${r.events.deliveredTwice}${r.events.badSignatures ? ` (${r.events.badSignatures} badly signed)` : ''}`
        : '—',
    ),
    row('cut-off Region: ledger writes acknowledged / of them missing from the survivor', (r) =>
      r.cutOff ? `${r.cutOff.acknowledged} / ${r.cutOff.missingFromSurvivor}` : '—',
    ),
    row('converged', (r) => String(r.converged)),
    row('heal → both Regions hold every earlier write', (r) => ms(r.reconvergeMs)),
    row(
      'replication lag p50 / p99',
      (r) =>
        `${r.replicationLagMs.p50.toFixed(1)} / ${r.replicationLagMs.p99.toFixed(1)} ms (${r.replicationLagMs.samples} writes; ${r.replicationLagMs.backlog} waited out the fault)`,
    ),
    row('client-visible errors', (r) => codes(r.errors) || 'none'),
    row('rebuild: items / seconds / items per s / units per item', (r) =>
      r.rebuild
        ? `${r.rebuild.items} / ${r.rebuild.seconds} s / ${r.rebuild.itemsPerSecond} / ${r.rebuild.unitsPerItem}${r.rebuild.matched ? '' : ' (its comparison found differences)'}`
        : '—',
    ),
    row('rebuild seconds: copy / catalog / ledger / comparison', (r) => {
      const phases = r.rebuild?.phaseSeconds;
      return phases
        ? `${phases.copy} / ${phases.catalog} / ${phases.ledger} / ${phases.compare ?? 'not compared'}`
        : '—';
    }),
    row('requests sent to the burnt Region before its /health answered 200', (r) =>
      r.rebuild ? String(r.rebuild.servedBeforeHealthy) : '—',
    ),
    row('heal → burnt Region healthy again (re-protection)', (r) => ms(r.reprotectMs)),
    row('projection keys differing between the Regions', (r) =>
      r.projectionDiff
        ? Object.entries(r.projectionDiff)
            .map(([kind, n]) => `${kind} ${n}`)
            .join(', ')
        : '—',
    ),
  ];
}

export function textTable(reports: readonly DrillReport[]): string {
  const table = rows(reports);
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
  return `\n${table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

const OUTCOMES: readonly { outcome: Outcome; label: string; color: string }[] = [
  { outcome: '2xx', label: '2xx', color: '#2e9e5b' },
  { outcome: '4xx', label: '4xx', color: '#e0a526' },
  { outcome: '5xx', label: '5xx', color: '#d6453d' },
  { outcome: 'connection', label: 'connection error', color: '#8a5cc7' },
  { outcome: 'hung', label: `hung (> ${HUNG_AFTER_MS / 1000} s)`, color: '#222222' },
];
/** Marker colours apart from the outcomes' so a fault line never reads as a 5xx bar. */
/** A generous average width of a label character at the page's font size, for keeping labels on the chart. */
const LABEL_CHAR_WIDTH = 7;

const EVENT_COLORS = { fault: '#c2185b', heal: '#0277bd', step: '#6d4c41', rebuild: '#00897b' } as const;

export function htmlPage(results: readonly DrillResult[]): string {
  const table = rows(results.map((r) => r.report));
  const [header, ...body] = table;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Disaster-recovery drill</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin:28px 0 4px}
table{border-collapse:collapse;margin-top:8px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.legend span{display:inline-block;margin-right:16px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
svg text{font:11px system-ui,sans-serif}
</style></head><body>
<h1>Disaster-recovery drill</h1>
<p class="legend">${OUTCOMES.map((o) => `<span><i style="background:${o.color}"></i>${escape(o.label)}</span>`).join('')}
<span><i style="background:${EVENT_COLORS.fault}"></i>fault</span><span><i style="background:${EVENT_COLORS.heal}"></i>heal</span><span><i style="background:${EVENT_COLORS.step}"></i>deploy step</span><span><i style="background:${EVENT_COLORS.rebuild};opacity:.35"></i>projections rebuild</span></p>
${results.map(chart).join('\n')}
<h2>Report</h2>
<table><tr>${(header ?? []).map((cell) => `<th>${escape(cell)}</th>`).join('')}</tr>
${body.map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th>${escape(cell)}</th>` : `<td>${escape(cell)}</td>`)).join('')}</tr>`).join('\n')}
</table></body></html>
`;
}

/** Requests per second by outcome, one lane per Region (and one for requests no Region took). */
function chart({ report, timeline }: DrillResult): string {
  // Through the load, and through the last event (a rebuild may end after the load).
  const lastAt = Math.max(timeline.endedAt, ...timeline.events.map((e) => e.until ?? e.at));
  const seconds = Math.max(1, Math.ceil((lastAt - timeline.startedAt) / 1000));
  const lanes = [
    ...timeline.regions,
    ...(timeline.requests.some((r) => r.region === 'none') ? ['none'] : []),
  ];
  const counts = new Map<string, number>();
  const bucket = (lane: string, second: number, outcome: Outcome) => `${lane}|${second}|${outcome}`;
  for (const request of timeline.requests) {
    const second = Math.min(seconds - 1, Math.floor((request.doneAt - timeline.startedAt) / 1000));
    const key = bucket(request.region, second, request.outcome);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = (lane: string, second: number) =>
    OUTCOMES.reduce((sum, o) => sum + (counts.get(bucket(lane, second, o.outcome)) ?? 0), 0);
  const peak = Math.max(
    1,
    ...lanes.flatMap((lane) => Array.from({ length: seconds }, (_, s) => total(lane, s))),
  );
  const yMax = niceCeiling(peak);

  const left = 60;
  const width = 1300;
  const plotWidth = width - left - 20;
  const laneHeight = 120;
  // One line of labels per event above the plot, so no two labels share a line.
  const top = 30 + timeline.events.length * 14;
  // Each lane: its title line, then the plot.
  const laneGap = 34;
  const height = top + lanes.length * (laneHeight + laneGap) + 28;
  const x = (second: number) => left + (second / seconds) * plotWidth;
  const barWidth = Math.max(1, plotWidth / seconds - 2);
  const parts: string[] = [];
  lanes.forEach((lane, index) => {
    const base = top + index * (laneHeight + laneGap) + laneGap + laneHeight;
    const y = (value: number) => base - (value / yMax) * laneHeight;
    parts.push(
      `<text x="${left}" y="${base - laneHeight - 8}" font-weight="bold">${escape(lane === 'none' ? 'no Region (the front never sent these on)' : lane)}</text>`,
      `<line x1="${left}" x2="${left + plotWidth}" y1="${base}" y2="${base}" stroke="#888"/>`,
      `<line x1="${left}" x2="${left}" y1="${base - laneHeight}" y2="${base}" stroke="#888"/>`,
      ...[yMax / 2, yMax].flatMap((tick) => [
        `<text x="${left - 4}" y="${y(tick) + 4}" text-anchor="end" fill="#666">${tick}/s</text>`,
        `<line x1="${left}" x2="${left + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>`,
      ]),
    );
    for (let second = 0; second < seconds; second++) {
      let stacked = 0;
      for (const { outcome, color, label } of OUTCOMES) {
        const n = counts.get(bucket(lane, second, outcome)) ?? 0;
        if (n === 0) continue;
        parts.push(
          `<rect x="${x(second) + 1}" y="${y(stacked + n)}" width="${barWidth}" height="${y(stacked) - y(stacked + n)}" fill="${color}"><title>${escape(`${lane}, ${second}–${second + 1} s: ${n} × ${label}`)}</title></rect>`,
        );
        stacked += n;
      }
    }
  });
  const bottom = top + lanes.length * (laneHeight + laneGap);
  for (let second = 0; second <= seconds; second += seconds > 40 ? 10 : 5) {
    parts.push(
      `<text x="${x(second)}" y="${bottom + 14}" text-anchor="middle" fill="#666">${second} s</text>`,
    );
  }
  timeline.events.forEach((event, i) => {
    const at = x((event.at - timeline.startedAt) / 1000);
    const color = EVENT_COLORS[event.kind];
    // A span (the rebuild) is shaded across every lane, under its start line.
    if (event.until !== undefined) {
      const end = x((event.until - timeline.startedAt) / 1000);
      parts.push(
        `<rect x="${at}" y="${top - 6}" width="${Math.max(2, end - at)}" height="${bottom - top + 6}" fill="${color}" opacity="0.15"/>`,
      );
    }
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${top - 6}" y2="${bottom}" stroke="${color}" stroke-width="2" stroke-dasharray="6 3"/>`,
      // A label that would run off the chart's right edge reads leftwards from its line instead.
      `<text x="${at + 4}" y="${16 + i * 14}" fill="${color}"${
        at + 4 + event.label.length * LABEL_CHAR_WIDTH > width ? ` text-anchor="end" dx="-8"` : ''
      }>${escape(event.label)}</text>`,
    );
  });
  return `<h2>${escape(report.scenario)} — ${escape(report.mode)} mode</h2>
<p>Requests per second by outcome, bucketed by when the client learned the outcome, per Region that took the request.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((m) => m * power).find((n) => n >= value) ?? value) as number;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
