/**
 * A locked snapshot as the approval file takes it: a CSV of the comparison, and a printable,
 * self-contained HTML record in Korean (no script, no external resource: it prints and archives as is).
 */
import type { Case, CaseSnapshot, ComparisonItem } from './entities.js';

export const SNAPSHOT_CSV_HEADER =
  'serviceId,name,providerName,category,csapGrade,networks,listed,lowestPlanId,lowestAmountKrw,withinBudget';

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(value: unknown): string {
  const textValue = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(textValue) ? `"${textValue.replaceAll('"', '""')}"` : textValue;
}

function lowestPlan(item: ComparisonItem) {
  return item.plans.reduce<ComparisonItem['plans'][number] | undefined>(
    (lowest, plan) => (lowest === undefined || plan.amountKrw < lowest.amountKrw ? plan : lowest),
    undefined,
  );
}

/** One row per compared service, in the comparison's order, under the documented header. */
export function snapshotCsv(snapshot: CaseSnapshot): string {
  const rows = snapshot.comparison.items.map((item) =>
    [
      item.serviceId,
      item.name,
      item.providerName,
      item.category,
      item.csap?.grade ?? '',
      item.networks.join(' '),
      item.listed,
      lowestPlan(item)?.id ?? '',
      item.lowestAmountKrw,
      item.withinBudget,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[SNAPSHOT_CSV_HEADER, ...rows].join('\r\n')}\r\n`;
}

const escapeHtml = (value: unknown) =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

const won = (amount: number | null) => (amount === null ? '—' : `${amount.toLocaleString('ko-KR')}원`);

/** `2026-12-02T03:00:00.000Z` as Korean time, `2026-12-02 12:00 (KST)`. */
function kst(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 9 * 3_600_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)} (KST)`;
}

const categoryNames: Record<string, string> = {
  IAAS: 'IaaS',
  PAAS: 'PaaS',
  SAAS: 'SaaS',
  SUPPORT: '지원 서비스',
  CONVERGENCE: '융합 서비스',
};

const yesNo = (flag: boolean | null, yes: string, no: string) => (flag === null ? '—' : flag ? yes : no);

function describeQuery(query: CaseSnapshot['searches'][number]['query']): string {
  const parts = [
    query.q ? `검색어 “${query.q}”` : '',
    query.category ? `분류 ${categoryNames[query.category] ?? query.category}` : '',
    query.ai === undefined ? '' : query.ai ? 'AI 서비스' : 'AI 아님',
    query.network ? `망 ${query.network === 'INTERNET' ? '인터넷' : '내부망'}` : '',
    query.csapGrade ? `CSAP ${query.csapGrade}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : '전체 목록';
}

/**
 * The record for the approval file (결재 문서): the need, each saved search with its count, the
 * comparison, the award once made, and the hash that ties the page to the locked snapshot.
 */
export function snapshotHtml(snapshot: CaseSnapshot, kase: Case, awardedServiceName?: string): string {
  const { case: terms } = snapshot;
  const searches = snapshot.searches
    .map(
      (search, i) =>
        `<tr><td>${i + 1}</td><td>${escapeHtml(describeQuery(search.query))}</td><td class="n">${search.matched.toLocaleString('ko-KR')}건</td></tr>`,
    )
    .join('');
  const notes = new Map(snapshot.shortlist.map((entry) => [entry.serviceId, entry.note]));
  const rows = snapshot.comparison.items
    .map(
      (item, i) => `<tr${item.listed ? '' : ' class="unlisted"'}>
<td>${i + 1}</td>
<td><strong>${escapeHtml(item.name)}</strong><br><span class="id">${escapeHtml(item.serviceId)} · v${item.serviceVersion}</span>${notes.get(item.serviceId) ? `<br><span class="note">${escapeHtml(notes.get(item.serviceId))}</span>` : ''}</td>
<td>${escapeHtml(item.providerName)}</td>
<td>${escapeHtml(categoryNames[item.category] ?? item.category)}${item.ai ? ' · AI' : ''}</td>
<td>${escapeHtml(item.csap?.grade ?? '없음')}</td>
<td>${yesNo(item.offeredOnAgencyNetwork, '지원', '미지원')}</td>
<td>${item.listed ? '등록' : '등록 해제'}</td>
<td class="n">${won(item.lowestAmountKrw)}<br><span class="id">${escapeHtml(lowestPlan(item)?.name ?? '')}</span></td>
<td>${yesNo(item.withinBudget, '예산 이내', '예산 초과')}</td>
<td class="n">${item.contractsSigned.toLocaleString('ko-KR')}건</td>
</tr>`,
    )
    .join('\n');
  const award = kase.award
    ? `<p>낙찰 계약 <strong>${escapeHtml(kase.award.contractId)}</strong>${awardedServiceName ? ` (${escapeHtml(awardedServiceName)})` : ''}, 금액 <strong>${won(kase.award.amountKrw)}</strong>, ${kst(kase.award.awardedAt)} 결정.</p>`
    : kase.outcome
      ? `<p>${kase.status === 'NO_AWARD' ? '적합한 서비스 없음' : '사업 취소'}: ${escapeHtml(kase.outcome.reason)} (${kst(kase.outcome.at)})</p>`
      : '<p>아직 낙찰되지 않았습니다.</p>';
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>조달 검토 기록 ${escapeHtml(snapshot.caseId)} 제${snapshot.number}호</title>
<style>
@page { size: A4; margin: 18mm 15mm; }
body { font-family: "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo", "NanumGothic", sans-serif; color: #111; margin: 24px; font-size: 13px; line-height: 1.5; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; border-bottom: 2px solid #223; padding-bottom: 2px; margin-top: 22px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #eef0f4; }
td.n { text-align: right; white-space: nowrap; }
tr.unlisted td { color: #777; background: #f6f6f6; }
.id { color: #555; font-size: 11px; font-family: monospace; }
.note { color: #333; font-size: 12px; }
dl { display: grid; grid-template-columns: 9em 1fr; gap: 2px 12px; margin: 0; }
dt { font-weight: bold; }
.hash { font-family: monospace; font-size: 11px; word-break: break-all; }
.sign { display: flex; gap: 0; margin-top: 24px; justify-content: flex-end; }
.sign div { border: 1px solid #999; width: 90px; height: 70px; text-align: center; font-size: 12px; }
</style>
</head>
<body>
<h1>디지털서비스 조달 검토 기록</h1>
<p>사건 ${escapeHtml(snapshot.caseId)} · 스냅숏 제${snapshot.number}호 · ${kst(snapshot.lockedAt)} 확정 · 확정자 ${escapeHtml(snapshot.lockedBy.sub)} (${escapeHtml(snapshot.lockedBy.org)})</p>
<h2>1. 사업 개요</h2>
<dl>
<dt>사업명</dt><dd>${escapeHtml(terms.title)}</dd>
<dt>수요 내용</dt><dd>${escapeHtml(terms.need)}</dd>
<dt>수량 · 기간</dt><dd>${terms.quantity.toLocaleString('ko-KR')} × ${terms.months}개월</dd>
<dt>예산</dt><dd>${won(terms.budgetKrw)}</dd>
</dl>
<h2>2. 검색 기록</h2>
${searches ? `<table><thead><tr><th>#</th><th>조건</th><th>결과</th></tr></thead><tbody>${searches}</tbody></table>` : '<p>저장된 검색이 없습니다.</p>'}
<h2>3. 후보 서비스 비교 (${terms.quantity.toLocaleString('ko-KR')} × ${terms.months}개월 기준, 최저가순)</h2>
${rows ? `<table><thead><tr><th>#</th><th>서비스</th><th>공급자</th><th>분류</th><th>CSAP</th><th>기관 망</th><th>상태</th><th>최저 금액</th><th>예산</th><th>계약 실적</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>후보 서비스가 없습니다.</p>'}
<h2>4. 결과</h2>
${award}
<h2>5. 무결성</h2>
<p>이 기록의 SHA-256 (키 정렬, 공백 없는 JSON): <span class="hash">${escapeHtml(snapshot.sha256)}</span></p>
<div class="sign"><div>담당</div><div>검토</div><div>결재</div></div>
</body>
</html>
`;
}
