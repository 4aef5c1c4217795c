/**
 * Deterministic demo data for the marketplace: providers, agencies, catalog services and contracts at the
 * scale of the real service (632 listed services, 17 of them AI, 685 agencies, 1,964 signed contracts
 * worth 642.1 billion KRW). Pure: the same `now` and `seed` always give deep-equal output, and every
 * timestamp is derived from `now`.
 */
import { leadTimeDays } from '../functions/domain/contract.js';
import { isValidBusinessRegistrationNumber } from '../functions/domain/registry.js';
import { seoulDate } from '../functions/domain/selection.js';
import type {
  agencyKinds,
  Category,
  ContractStatus,
  csapGrades,
  Network,
  ServiceStatus,
} from '../functions/domain/vocabulary.js';
import type {
  Agency,
  Contract,
  Decision,
  PricePlan,
  Provider,
  ReviewSession,
  Selection,
  Service,
} from '../functions/domain/entities.js';

export interface DemoData {
  providers: Provider[];
  agencies: Agency[];
  services: Service[];
  contracts: Contract[];
  reviewSessions: ReviewSession[];
}

export const demoScale = {
  listedServices: 632,
  aiConvergenceServices: 17,
  agencies: 685,
  signedContracts: 1964,
  signedAmountKrw: 642_100_000_000,
} as const;

export function generateDemoData(options: { now?: Date; seed?: number } = {}): DemoData {
  const now = options.now ?? new Date();
  const rng = new Rng(options.seed ?? 20_240_601);
  const ctx: Context = { rng, nowMs: now.getTime(), id: idMaker(rng) };
  const providers = generateProviders(ctx);
  const agencies = generateAgencies(ctx);
  const { listed, others } = generateServices(ctx, providers);
  const contracts = generateContracts(ctx, agencies, listed);
  const services = [...listed.map((entry) => entry.service), ...others];
  return { providers, agencies, services, contracts, reviewSessions: reviewSessionsFor(services, now) };
}

/**
 * The committee's record behind the services: a closed session per selection session number with its
 * SELECTED decisions (rejections recorded at the latest one), and an open session whose agenda holds the
 * services now UNDER_REVIEW.
 */
function reviewSessionsFor(services: readonly Service[], now: Date): ReviewSession[] {
  const bySession = new Map<number, Decision[]>();
  for (const service of services) {
    if (!service.selection) continue;
    const { sessionNumber, decidedAt } = service.selection;
    const decision: Decision = {
      serviceId: service.id,
      decision: 'SELECTED',
      reason: '선정 기준 충족',
      decidedAt,
    };
    bySession.set(sessionNumber, [...(bySession.get(sessionNumber) ?? []), decision]);
  }
  const latest = Math.max(...bySession.keys());
  const latestDecisions = bySession.get(latest) ?? [];
  const latestDecidedAt = latestDecisions[0]?.decidedAt ?? now.toISOString();
  for (const service of services.filter((s) => s.status === 'REJECTED')) {
    latestDecisions.push({
      serviceId: service.id,
      decision: 'REJECTED',
      reason: 'CSAP 인증 요건 미충족',
      decidedAt: latestDecidedAt,
    });
  }
  const closed = [...bySession]
    .sort(([a], [b]) => a - b)
    .map(([number, decisions]): ReviewSession => {
      const createdAt = decisions[0]?.decidedAt ?? now.toISOString();
      return {
        id: String(number),
        number,
        date: seoulDate(new Date(createdAt)),
        status: 'CLOSED',
        agenda: decisions.map((d) => d.serviceId),
        decisions,
        createdAt,
        // One version per agenda item and decision, and one for closing.
        version: 2 + 2 * decisions.length,
      };
    });
  const underReview = services.filter((s) => s.status === 'UNDER_REVIEW').map((s) => s.id);
  const open: ReviewSession = {
    id: String(latest + 1),
    number: latest + 1,
    date: seoulDate(now),
    status: 'OPEN',
    agenda: underReview,
    decisions: [],
    createdAt: now.toISOString(),
    version: 1 + underReview.length,
  };
  return [...closed, open];
}

// ---------------------------------------------------------------------------------------------------------
// Randomness, ids and time

class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, Math.floor(this.next() * items.length));
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let r = this.next() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    return at(entries, entries.length - 1)[0];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = at(out, i);
      out[i] = at(out, j);
      out[j] = tmp;
    }
    return out;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`demo data: index ${index} out of range`);
  return item;
}

interface Context {
  readonly rng: Rng;
  readonly nowMs: number;
  readonly id: (prefix: 'prv' | 'agc' | 'svc' | 'ctr', timeMs: number) => string;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** ULID-shaped ids (time part from the entity's creation, random part from the PRNG), lower case. */
function idMaker(rng: Rng): Context['id'] {
  const used = new Set<string>();
  return (prefix, timeMs) => {
    let time = '';
    let t = Math.max(0, Math.floor(timeMs));
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD.charAt(t % 32) + time;
      t = Math.floor(t / 32);
    }
    for (;;) {
      let random = '';
      for (let i = 0; i < 16; i++) random += CROCKFORD.charAt(rng.int(0, 31));
      const id = `${prefix}_${time}${random}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString();
/** A duration rounded to whole seconds, so that timestamps carry no milliseconds. */
const seconds = (ms: number) => Math.round(ms / 1000) * 1000;
const dateOnly = (ms: number) => seoulDate(new Date(ms));

/** A moment during office hours (09:00–18:00 KST) on the UTC day `daysAgo` days before now. */
function officeTime(ctx: Context, daysAgo: number): number {
  const day = Math.floor((ctx.nowMs - daysAgo * DAY) / DAY) * DAY;
  const ms = day + ctx.rng.int(0, 9 * 60 - 1) * 60_000 + ctx.rng.int(0, 59) * 1000;
  return Math.min(ms, ctx.nowMs - HOUR);
}

function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}

// ---------------------------------------------------------------------------------------------------------
// Providers

const providerRoots: readonly (readonly [string, string])[] = [
  ['한빛', 'hanbit'],
  ['누리', 'nuri'],
  ['다온', 'daon'],
  ['가온', 'gaon'],
  ['나래', 'narae'],
  ['미르', 'mir'],
  ['한결', 'hangyeol'],
  ['새봄', 'saebom'],
  ['아라', 'ara'],
  ['솔빛', 'solbit'],
  ['해든', 'haedeun'],
  ['라온', 'raon'],
  ['하늘', 'haneul'],
  ['바른', 'bareun'],
  ['푸른', 'pureun'],
  ['이음', 'ieum'],
  ['모아', 'moa'],
  ['세움', 'seum'],
  ['한울', 'hanul'],
  ['별빛', 'byeolbit'],
  ['너울', 'neoul'],
  ['마루', 'maru'],
  ['온누리', 'onnuri'],
  ['다솜', 'dasom'],
  ['그린', 'green'],
  ['비전', 'vision'],
  ['넥스트', 'next'],
  ['인사이트', 'insight'],
  ['와이즈', 'wise'],
  ['유니', 'uni'],
  ['에이스', 'ace'],
  ['코어', 'core'],
];

const providerTrades: readonly (readonly [string, string])[] = [
  ['클라우드', 'cloud'],
  ['데이터', 'data'],
  ['소프트', 'soft'],
  ['시스템즈', 'systems'],
  ['테크', 'tech'],
  ['정보통신', 'ict'],
  ['네트웍스', 'networks'],
  ['랩스', 'labs'],
  ['에이아이', 'ai'],
  ['솔루션', 'solution'],
  ['아이티', 'it'],
  ['인포텍', 'infotech'],
];

const PROVIDER_COUNT = 150;

function generateProviders(ctx: Context): Provider[] {
  const { rng } = ctx;
  const combos = rng.shuffle(
    providerRoots.flatMap((root) => providerTrades.map((trade) => [root, trade] as const)),
  );
  const brns = new Set<string>();
  return combos.slice(0, PROVIDER_COUNT).map(([[rootKo, rootEn], [tradeKo, tradeEn]]) => {
    const brand = `${rootKo}${tradeKo}`;
    const name = rng.weighted([
      [`(주)${brand}`, 5],
      [`${brand} 주식회사`, 3],
      [`주식회사 ${brand}`, 2],
    ] as const);
    let brn = businessRegistrationNumber(rng);
    while (brns.has(brn)) brn = businessRegistrationNumber(rng);
    brns.add(brn);
    const mailbox = rng.pick(['sales', 'contact', 'biz', 'gov', 'cloud'] as const);
    const domain = rng.weighted([
      ['co.kr', 6],
      ['com', 3],
      ['kr', 1],
    ] as const);
    const createdAt = officeTime(ctx, rng.int(1000, 1600));
    return {
      id: ctx.id('prv', createdAt),
      name,
      businessRegistrationNumber: brn,
      contactEmail: `${mailbox}@${rootEn}-${tradeEn}.${domain}`,
      createdAt: iso(createdAt),
      version: 1,
    };
  });
}

const BRN_WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5] as const;

/** Tax office code, corporate type code (81, 86, 87, 88), serial, and the NTS check digit. */
function businessRegistrationNumber(rng: Rng): string {
  const office = String(rng.int(101, 699));
  const type = rng.pick(['81', '86', '87', '88'] as const);
  const serial = String(rng.int(0, 9999)).padStart(4, '0');
  const digits = [...`${office}${type}${serial}`].map(Number);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += at(digits, i) * at(BRN_WEIGHTS, i);
  sum += Math.floor((at(digits, 8) * 5) / 10);
  const brn = `${office}${type}${serial}${(10 - (sum % 10)) % 10}`;
  if (!isValidBusinessRegistrationNumber(brn)) throw new Error(`demo data: invalid BRN ${brn}`);
  return brn;
}

// ---------------------------------------------------------------------------------------------------------
// Agencies

type AgencyKind = (typeof agencyKinds)[number];

const centralAgencies = [
  '기획재정부',
  '교육부',
  '과학기술정보통신부',
  '외교부',
  '통일부',
  '법무부',
  '국방부',
  '행정안전부',
  '국가보훈부',
  '문화체육관광부',
  '농림축산식품부',
  '산업통상자원부',
  '보건복지부',
  '환경부',
  '고용노동부',
  '여성가족부',
  '국토교통부',
  '해양수산부',
  '중소벤처기업부',
  '국무조정실',
  '인사혁신처',
  '법제처',
  '식품의약품안전처',
  '국세청',
  '관세청',
  '조달청',
  '통계청',
  '재외동포청',
  '검찰청',
  '병무청',
  '방위사업청',
  '경찰청',
  '소방청',
  '국가유산청',
  '농촌진흥청',
  '산림청',
  '특허청',
  '기상청',
  '행정중심복합도시건설청',
  '새만금개발청',
  '해양경찰청',
  '질병관리청',
  '우주항공청',
  '개인정보보호위원회',
  '공정거래위원회',
  '금융위원회',
  '국민권익위원회',
  '원자력안전위원회',
  '방송통신위원회',
  '국가인권위원회',
];

/** Metropolitan governments with their short names and their districts, cities and counties. */
const regions: readonly { name: string; short: string; province: boolean; units: readonly string[] }[] = [
  {
    name: '서울특별시',
    short: '서울',
    province: false,
    units: [
      '종로구',
      '중구',
      '용산구',
      '성동구',
      '광진구',
      '동대문구',
      '중랑구',
      '성북구',
      '강북구',
      '도봉구',
      '노원구',
      '은평구',
      '서대문구',
      '마포구',
      '양천구',
      '강서구',
      '구로구',
      '금천구',
      '영등포구',
      '동작구',
      '관악구',
      '서초구',
      '강남구',
      '송파구',
      '강동구',
    ],
  },
  {
    name: '부산광역시',
    short: '부산',
    province: false,
    units: [
      '중구',
      '서구',
      '동구',
      '영도구',
      '부산진구',
      '동래구',
      '남구',
      '북구',
      '해운대구',
      '사하구',
      '금정구',
      '강서구',
      '연제구',
      '수영구',
      '사상구',
      '기장군',
    ],
  },
  {
    name: '대구광역시',
    short: '대구',
    province: false,
    units: ['중구', '동구', '서구', '남구', '북구', '수성구', '달서구', '달성군', '군위군'],
  },
  {
    name: '인천광역시',
    short: '인천',
    province: false,
    units: ['중구', '동구', '미추홀구', '연수구', '남동구', '부평구', '계양구', '서구', '강화군', '옹진군'],
  },
  { name: '광주광역시', short: '광주', province: false, units: ['동구', '서구', '남구', '북구', '광산구'] },
  { name: '대전광역시', short: '대전', province: false, units: ['동구', '중구', '서구', '유성구', '대덕구'] },
  { name: '울산광역시', short: '울산', province: false, units: ['중구', '남구', '동구', '북구', '울주군'] },
  { name: '세종특별자치시', short: '세종', province: false, units: [] },
  {
    name: '경기도',
    short: '경기',
    province: true,
    units: [
      '수원시',
      '성남시',
      '의정부시',
      '안양시',
      '부천시',
      '광명시',
      '평택시',
      '동두천시',
      '안산시',
      '고양시',
      '과천시',
      '구리시',
      '남양주시',
      '오산시',
      '시흥시',
      '군포시',
      '의왕시',
      '하남시',
      '용인시',
      '파주시',
      '이천시',
      '안성시',
      '김포시',
      '화성시',
      '광주시',
      '양주시',
      '포천시',
      '여주시',
      '연천군',
      '가평군',
      '양평군',
    ],
  },
  {
    name: '강원특별자치도',
    short: '강원',
    province: true,
    units: [
      '춘천시',
      '원주시',
      '강릉시',
      '동해시',
      '태백시',
      '속초시',
      '삼척시',
      '홍천군',
      '횡성군',
      '영월군',
      '평창군',
      '정선군',
      '철원군',
      '화천군',
      '양구군',
      '인제군',
      '고성군',
      '양양군',
    ],
  },
  {
    name: '충청북도',
    short: '충북',
    province: true,
    units: [
      '청주시',
      '충주시',
      '제천시',
      '보은군',
      '옥천군',
      '영동군',
      '증평군',
      '진천군',
      '괴산군',
      '음성군',
      '단양군',
    ],
  },
  {
    name: '충청남도',
    short: '충남',
    province: true,
    units: [
      '천안시',
      '공주시',
      '보령시',
      '아산시',
      '서산시',
      '논산시',
      '계룡시',
      '당진시',
      '금산군',
      '부여군',
      '서천군',
      '청양군',
      '홍성군',
      '예산군',
      '태안군',
    ],
  },
  {
    name: '전북특별자치도',
    short: '전북',
    province: true,
    units: [
      '전주시',
      '군산시',
      '익산시',
      '정읍시',
      '남원시',
      '김제시',
      '완주군',
      '진안군',
      '무주군',
      '장수군',
      '임실군',
      '순창군',
      '고창군',
      '부안군',
    ],
  },
  {
    name: '전라남도',
    short: '전남',
    province: true,
    units: [
      '목포시',
      '여수시',
      '순천시',
      '나주시',
      '광양시',
      '담양군',
      '곡성군',
      '구례군',
      '고흥군',
      '보성군',
      '화순군',
      '장흥군',
      '강진군',
      '해남군',
      '영암군',
      '무안군',
      '함평군',
      '영광군',
      '장성군',
      '완도군',
      '진도군',
      '신안군',
    ],
  },
  {
    name: '경상북도',
    short: '경북',
    province: true,
    units: [
      '포항시',
      '경주시',
      '김천시',
      '안동시',
      '구미시',
      '영주시',
      '영천시',
      '상주시',
      '문경시',
      '경산시',
      '의성군',
      '청송군',
      '영양군',
      '영덕군',
      '청도군',
      '고령군',
      '성주군',
      '칠곡군',
      '예천군',
      '봉화군',
      '울진군',
      '울릉군',
    ],
  },
  {
    name: '경상남도',
    short: '경남',
    province: true,
    units: [
      '창원시',
      '진주시',
      '통영시',
      '사천시',
      '김해시',
      '밀양시',
      '거제시',
      '양산시',
      '의령군',
      '함안군',
      '창녕군',
      '고성군',
      '남해군',
      '하동군',
      '산청군',
      '함양군',
      '거창군',
      '합천군',
    ],
  },
  { name: '제주특별자치도', short: '제주', province: true, units: [] },
];

const publicInstitutions = [
  '한국지능정보사회진흥원',
  '정보통신산업진흥원',
  '한국인터넷진흥원',
  '한국전력공사',
  '한국수자원공사',
  '한국도로공사',
  '한국토지주택공사',
  '한국철도공사',
  '국민건강보험공단',
  '국민연금공단',
  '근로복지공단',
  '한국산업인력공단',
  '한국가스공사',
  '한국석유공사',
  '한국관광공사',
  '한국농어촌공사',
  '한국환경공단',
  '한국산업단지공단',
  '한국교통안전공단',
  '한국공항공사',
  '인천국제공항공사',
  '한국마사회',
  '한국조폐공사',
  '한국지역난방공사',
  '한국수력원자력',
  '한국남동발전',
  '한국중부발전',
  '한국서부발전',
  '한국남부발전',
  '한국동서발전',
  '한국전력거래소',
  '한국가스안전공사',
  '한국전기안전공사',
  '한국에너지공단',
  '한국원자력환경공단',
  '한국광해광업공단',
  '대한무역투자진흥공사',
  '중소벤처기업진흥공단',
  '소상공인시장진흥공단',
  '신용보증기금',
  '기술보증기금',
  '한국자산관리공사',
  '한국주택금융공사',
  '예금보험공사',
  '한국예탁결제원',
  '한국무역보험공사',
  '주택도시보증공사',
  '한국부동산원',
  '국토안전관리원',
  '국가철도공단',
  '한국해양교통안전공단',
  '해양환경공단',
  '한국수산자원공단',
  '한국농수산식품유통공사',
  '한국농촌경제연구원',
  '농림식품기술기획평가원',
  '축산물품질평가원',
  '한국보건산업진흥원',
  '건강보험심사평가원',
  '사회보장정보원',
  '한국장애인고용공단',
  '한국고용정보원',
  '한국노인인력개발원',
  '한국보훈복지의료공단',
  '국립암센터',
  '국립중앙의료원',
  '대한적십자사',
  '한국소비자원',
  '한국산업기술진흥원',
  '한국산업기술기획평가원',
  '한국연구재단',
  '정보통신기획평가원',
  '한국과학기술정보연구원',
  '한국전자통신연구원',
  '한국과학기술연구원',
  '한국과학창의재단',
  '한국데이터산업진흥원',
  '한국방송통신전파진흥원',
  '우체국물류지원단',
  '한국우편사업진흥원',
  '한국교육학술정보원',
  '한국장학재단',
  '국가평생교육진흥원',
  '한국교육과정평가원',
  '한국직업능력연구원',
  '한국교육개발원',
  '한국문화예술위원회',
  '한국콘텐츠진흥원',
  '한국저작권위원회',
  '국민체육진흥공단',
  '한국문화정보원',
  '한국출판문화산업진흥원',
  '영화진흥위원회',
  '한국국제협력단',
  '한국국제교류재단',
  '한국법무보호복지공단',
  '대한법률구조공단',
  '한국조세재정연구원',
  '한국개발연구원',
  '한국행정연구원',
  '한국지방행정연구원',
  '한국지역정보개발원',
  '한국생산기술연구원',
  '한국기계연구원',
  '한국화학연구원',
  '한국에너지기술연구원',
  '한국원자력연구원',
  '한국항공우주연구원',
  '한국천문연구원',
  '한국지질자원연구원',
  '한국표준과학연구원',
  '한국식품연구원',
  '한국건설기술연구원',
  '한국철도기술연구원',
  '한국전기연구원',
  '한국해양과학기술원',
  '한국환경산업기술원',
  '국립공원공단',
  '국립생태원',
  '국립낙동강생물자원관',
  '한국임업진흥원',
  '한국산림복지진흥원',
  '한국수목원정원관리원',
  '도로교통공단',
  '한국소방산업기술원',
  '한국승강기안전공단',
  '서민금융진흥원',
  '한국재정정보원',
  '한국사학진흥재단',
  '한국기상산업기술원',
  '한국특허전략개발원',
  '한국발명진흥회',
  '한국원자력안전기술원',
  '한국식품안전관리인증원',
  '한국의약품안전관리원',
  '한국보건의료정보원',
  '한국건강증진개발원',
  '한국보육진흥원',
  '한국청소년상담복지개발원',
  '한국양성평등교육진흥원',
];

const regionalInstitutionSuffixes = [
  '테크노파크',
  '신용보증재단',
  '문화재단',
  '연구원',
  '경제진흥원',
  '도시공사',
  '관광공사',
  '여성가족재단',
];

const nationalUniversities = [
  '서울대학교',
  '부산대학교',
  '경북대학교',
  '전남대학교',
  '전북대학교',
  '충남대학교',
  '충북대학교',
  '강원대학교',
  '경상국립대학교',
  '제주대학교',
  '한국교원대학교',
  '서울교육대학교',
  '경인교육대학교',
  '공주교육대학교',
  '광주교육대학교',
  '대구교육대학교',
  '부산교육대학교',
  '전주교육대학교',
  '진주교육대학교',
  '청주교육대학교',
  '춘천교육대학교',
  '국립한국해양대학교',
  '국립부경대학교',
  '국립창원대학교',
  '국립공주대학교',
  '국립순천대학교',
  '국립목포대학교',
  '국립안동대학교',
  '국립금오공과대학교',
  '국립한밭대학교',
  '국립강릉원주대학교',
  '서울과학기술대학교',
  '국립한국교통대학교',
  '국립군산대학교',
  '국립목포해양대학교',
  '한국체육대학교',
  '한국방송통신대학교',
  '한경국립대학교',
];

interface AgencySeed {
  readonly name: string;
  readonly kind: AgencyKind;
  /** First digit and shape of the 7-digit institution code. */
  readonly code: 'central' | 'metro' | 'district' | 'education' | 'public';
}

function agencyPools(): { fixed: AgencySeed[]; optional: AgencySeed[] } {
  const fixed: AgencySeed[] = centralAgencies.map((name) => ({ name, kind: 'CENTRAL', code: 'central' }));
  const optional: AgencySeed[] = [];
  for (const region of regions) {
    fixed.push({ name: region.name, kind: 'LOCAL', code: 'metro' });
    for (const unit of region.units)
      fixed.push({ name: `${region.name} ${unit}`, kind: 'LOCAL', code: 'district' });
    fixed.push({ name: `${region.name}교육청`, kind: 'EDUCATION', code: 'education' });
    for (const suffix of regionalInstitutionSuffixes) {
      optional.push({ name: `${region.short}${suffix}`, kind: 'PUBLIC_INSTITUTION', code: 'public' });
    }
    if (region.province) {
      for (const unit of region.units) {
        const place = unit.slice(0, -1);
        optional.push({ name: `${region.name}${place}교육지원청`, kind: 'EDUCATION', code: 'education' });
      }
    }
  }
  for (const unit of at(regions, 0).units) {
    optional.push({ name: `${unit}도시관리공단`, kind: 'PUBLIC_INSTITUTION', code: 'public' });
  }
  for (const name of publicInstitutions) optional.push({ name, kind: 'PUBLIC_INSTITUTION', code: 'public' });
  for (const name of nationalUniversities) optional.push({ name, kind: 'EDUCATION', code: 'education' });
  return { fixed, optional };
}

const intranetShare: Record<AgencyKind, number> = {
  CENTRAL: 0.35,
  LOCAL: 0.3,
  PUBLIC_INSTITUTION: 0.08,
  EDUCATION: 0.1,
};

function generateAgencies(ctx: Context): Agency[] {
  const { rng } = ctx;
  const { fixed, optional } = agencyPools();
  const seeds = [...fixed, ...rng.shuffle(optional)].slice(0, demoScale.agencies);
  if (seeds.length !== demoScale.agencies || new Set(seeds.map((s) => s.name)).size !== seeds.length) {
    throw new Error('demo data: agency names are not enough or not distinct');
  }
  const codes = new Set<string>();
  const agencies = seeds.map((seed): Agency => {
    let code = institutionCode(rng, seed.code);
    while (codes.has(code)) code = institutionCode(rng, seed.code);
    codes.add(code);
    const createdAt = officeTime(ctx, rng.int(800, 1200));
    return {
      id: ctx.id('agc', createdAt),
      name: seed.name,
      institutionCode: code,
      kind: seed.kind,
      network: rng.chance(intranetShare[seed.kind]) ? 'INTRANET' : 'INTERNET',
      createdAt: iso(createdAt),
      version: 1,
    };
  });
  return rng.shuffle(agencies);
}

function institutionCode(rng: Rng, shape: AgencySeed['code']): string {
  switch (shape) {
    case 'central':
      return `1${rng.int(100, 999)}000`;
    case 'metro':
      return `6${rng.int(10, 99)}0000`;
    case 'district':
      return `3${rng.int(100, 999)}000`;
    case 'education':
      return `7${String(rng.int(0, 999_999)).padStart(6, '0')}`;
    case 'public':
      return `5${String(rng.int(0, 999_999)).padStart(6, '0')}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Services

interface Offering {
  readonly name: string;
  readonly summaries: readonly string[];
}

interface PlanTemplate {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  /** The most of this unit a single contract plausibly buys. */
  readonly maxQuantity: number;
}

interface CategorySpec {
  readonly listed: number;
  readonly offerings: readonly Offering[];
  readonly plans: readonly PlanTemplate[];
  readonly grades: readonly (readonly [(typeof csapGrades)[number] | null, number])[];
}

const o = (name: string, ...summaries: string[]): Offering => ({ name, summaries });

const categorySpecs: Record<Category, CategorySpec> = {
  IAAS: {
    listed: 110,
    offerings: [
      o(
        '클라우드 서버',
        '공공기관 전용 가상 서버를 vCPU 단위로 탄력 제공',
        '필요한 만큼 가상 서버를 빌려 쓰는 공공 클라우드',
      ),
      o('GPU 서버', 'AI 학습과 추론용 GPU 인스턴스를 공공 전용으로 제공'),
      o('블록 스토리지', '가상 서버용 고성능 SSD 블록 스토리지 제공'),
      o('오브젝트 스토리지', '대용량 파일과 백업을 S3 호환 방식으로 보관'),
      o('백업 서비스', '서버와 데이터베이스를 자동 백업하고 신속히 복구'),
      o('재해복구 DR', '원격지 복제로 재해 시 업무 연속성 확보'),
      o('가상 데스크톱 VDI', '어디서나 안전하게 접속하는 업무용 가상 PC'),
      o('로드밸런서', '트래픽을 여러 서버로 분산해 가용성 향상'),
      o('전용 네트워크', '기관 전산실과 클라우드를 전용회선으로 연결'),
      o('CDN 서비스', '정적 콘텐츠를 전국 캐시 서버로 빠르게 전송'),
      o('베어메탈 서버', '가상화 없이 물리 서버를 단독으로 제공'),
      o('웹 방화벽 WAF', '웹 공격을 탐지하고 차단하는 클라우드 방화벽'),
      o('DDoS 방어', '대규모 트래픽 공격을 자동 탐지하고 완화'),
      o('하이브리드 클라우드', '기관 전산실과 공공 클라우드를 통합 운영'),
    ],
    plans: [
      { id: 'per-vcpu', name: 'vCPU 종량형', unit: 'vCPU/월', min: 25_000, max: 60_000, maxQuantity: 2_000 },
      { id: 'standard', name: '표준형', unit: '대/월', min: 150_000, max: 600_000, maxQuantity: 300 },
      { id: 'premium', name: '고성능형', unit: '대/월', min: 800_000, max: 3_000_000, maxQuantity: 100 },
      { id: 'storage-tb', name: '스토리지', unit: 'TB/월', min: 30_000, max: 120_000, maxQuantity: 2_000 },
    ],
    grades: [
      ['HIGH', 35],
      ['MEDIUM', 45],
      ['LOW', 18],
      [null, 2],
    ],
  },
  PAAS: {
    listed: 120,
    offerings: [
      o('컨테이너 플랫폼', 'Kubernetes 기반 컨테이너 배포와 운영 자동화'),
      o('관리형 데이터베이스', 'PostgreSQL과 MySQL을 완전 관리형으로 제공'),
      o('API 게이트웨이', 'API 인증, 호출 제한, 모니터링을 통합 관리'),
      o('서버리스 플랫폼', '서버 관리 없이 함수 단위로 코드를 실행'),
      o('DevOps 파이프라인', '소스 빌드부터 배포까지 CI/CD를 자동화'),
      o('메시지 큐', '시스템 간 비동기 메시지를 안정적으로 전달'),
      o('검색 엔진 플랫폼', '행정 문서와 데이터를 위한 전문 검색 엔진'),
      o('로그 분석 플랫폼', '시스템 로그를 수집하고 실시간으로 분석'),
      o('모니터링 서비스', '클라우드 자원과 앱 성능을 실시간 관제'),
      o('전자정부 프레임워크', '전자정부 표준프레임워크 개발·운영 환경 제공'),
      o('데이터 파이프라인', '이기종 데이터를 수집·변환·적재하는 ETL'),
      o('통합 인증 플랫폼', '간편인증과 SSO를 제공하는 인증 플랫폼'),
      o('노코드 개발 플랫폼', '코딩 없이 업무용 앱을 빠르게 제작'),
      o('캐시 서비스', '인메모리 Redis 캐시로 응답 속도 향상'),
      o('블록체인 플랫폼', '전자문서 위변조 방지를 위한 블록체인 BaaS'),
    ],
    plans: [
      { id: 'basic', name: '기본형', unit: '월', min: 300_000, max: 1_500_000, maxQuantity: 10 },
      { id: 'standard', name: '표준형', unit: '월', min: 1_500_000, max: 5_000_000, maxQuantity: 10 },
      { id: 'premium', name: '고급형', unit: '월', min: 5_000_000, max: 15_000_000, maxQuantity: 10 },
      {
        id: 'per-instance',
        name: '인스턴스 종량형',
        unit: '인스턴스/월',
        min: 100_000,
        max: 800_000,
        maxQuantity: 500,
      },
    ],
    grades: [
      ['HIGH', 15],
      ['MEDIUM', 45],
      ['LOW', 35],
      [null, 5],
    ],
  },
  SAAS: {
    listed: 250,
    offerings: [
      o('전자결재 시스템', '기안부터 결재, 문서 보관까지 클라우드로 처리'),
      o('협업 그룹웨어', '메일, 일정, 게시판을 통합한 협업 그룹웨어'),
      o('화상회의 서비스', '보안 인증된 화상회의와 회의록 공유 기능'),
      o('인사급여 관리', '인사 기록과 급여 계산을 클라우드에서 관리'),
      o('회계 관리 시스템', '예산 집행과 회계 처리를 자동화하는 SaaS'),
      o('전자문서 보관소', '전자문서를 법적 효력 있게 장기 보존'),
      o('설문조사 서비스', '대국민 설문을 손쉽게 만들고 결과를 분석'),
      o('학습관리 LMS', '온라인 교육 과정 운영과 학습 이력 관리'),
      o('시설 예약 서비스', '공공시설 예약과 결제를 온라인으로 처리'),
      o('업무 메신저', '기관 내부 업무용 보안 메신저와 파일 공유'),
      o('문서 중앙화', '업무 문서를 중앙 서버에 저장해 유출 방지'),
      o('웹 메일', '대용량 첨부와 보안 필터를 갖춘 기관 메일'),
      o('홈페이지 CMS', '기관 홈페이지를 템플릿으로 쉽게 구축·운영'),
      o('자산 관리 시스템', '물품과 IT 자산의 취득부터 폐기까지 관리'),
      o('민원 접수 포털', '온라인 민원 접수와 처리 현황을 한곳에서 관리'),
      o('계약 관리 시스템', '계약 체결부터 이행·정산까지 전 과정 관리'),
      o('프로젝트 관리', '업무 일정과 진행 상황을 칸반 보드로 공유'),
      o('전자서명 서비스', '비대면 전자서명과 본인확인을 간편하게 제공'),
      o('복지 관리 시스템', '복지 대상자 상담과 급여 이력을 통합 관리'),
      o('재난 문자 발송', '재난·안전 알림을 문자와 앱 푸시로 신속히 발송'),
      o('개인정보 관리', '개인정보 처리 현황 점검과 파기 이력 관리'),
      o('도서관 관리 시스템', '공공도서관 소장 자료와 대출 서비스를 통합 관리'),
      o('공공 ERP 서비스', '예산, 구매, 재고를 통합한 공공기관용 ERP'),
    ],
    plans: [
      { id: 'basic', name: '기본형', unit: '사용자/월', min: 3_000, max: 10_000, maxQuantity: 20_000 },
      { id: 'standard', name: '표준형', unit: '사용자/월', min: 10_000, max: 25_000, maxQuantity: 20_000 },
      { id: 'premium', name: '고급형', unit: '사용자/월', min: 25_000, max: 60_000, maxQuantity: 10_000 },
      {
        id: 'enterprise',
        name: '기관 정액형',
        unit: '기관/월',
        min: 2_000_000,
        max: 10_000_000,
        maxQuantity: 5,
      },
    ],
    grades: [
      ['HIGH', 10],
      ['MEDIUM', 40],
      ['LOW', 45],
      [null, 5],
    ],
  },
  SUPPORT: {
    listed: 62,
    offerings: [
      o('클라우드 전환 컨설팅', '기존 시스템의 클라우드 전환 전략과 계획 수립'),
      o('클라우드 운영 MSP', '클라우드 인프라 운영과 장애 대응을 전담'),
      o('보안 관제 서비스', '24시간 보안 관제로 침해 위협을 탐지·대응'),
      o('클라우드 실무 교육', '공무원 대상 클라우드 활용 실무 교육'),
      o('마이그레이션 지원', '서버와 데이터의 클라우드 이전을 단계별 지원'),
      o('보안 취약점 진단', '클라우드 시스템 취약점 점검과 조치 가이드'),
      o('FinOps 비용 최적화', '클라우드 사용량 분석으로 비용 절감 방안 제시'),
      o('기술 지원 서비스', '클라우드 서비스 기술 문의와 장애 지원'),
      o('CSAP 인증 컨설팅', 'CSAP 보안인증 취득 절차와 보완 조치 지원'),
      o('클라우드 아키텍처 설계', '공공 업무에 맞는 클라우드 네이티브 구조 설계'),
    ],
    plans: [
      { id: 'basic', name: '기본 지원', unit: '월', min: 500_000, max: 2_000_000, maxQuantity: 5 },
      { id: 'monthly', name: '월 정액', unit: '월', min: 2_000_000, max: 15_000_000, maxQuantity: 5 },
      {
        id: 'per-engineer',
        name: '상주 인력',
        unit: '인/월',
        min: 6_000_000,
        max: 12_000_000,
        maxQuantity: 20,
      },
    ],
    grades: [
      ['MEDIUM', 15],
      ['LOW', 35],
      [null, 50],
    ],
  },
  CONVERGENCE: {
    listed: 90,
    offerings: [
      o('스마트 가로등 IoT', '가로등 원격 제어와 에너지 사용량 관리'),
      o('스마트 주차 관리', 'IoT 센서로 공영주차장 빈자리를 실시간 안내'),
      o('대기질 모니터링', '미세먼지 센서 데이터를 수집해 지도에 표시'),
      o('빅데이터 분석 플랫폼', '공공 데이터를 결합한 정책 분석 대시보드'),
      o('스마트 상수도 관리', '원격 검침과 누수 감지로 상수도 운영 효율화'),
      o('디지털 트윈 도시', '3D 도시 모델로 시설물과 교통 상황을 시각화'),
      o('스마트팜 관제', '온실 환경 센서와 원격 제어로 농가 지원'),
      o('재난 안전 IoT', '하천 수위와 산사태 위험을 센서로 상시 감시'),
      o('공공데이터 개방 포털', '기관 보유 데이터를 표준 API로 개방'),
      o('스마트 버스정류장', '버스 도착 정보와 냉난방 쉼터를 통합 제공'),
      o('에너지 관리 EMS', '공공건물 전력 사용을 분석해 에너지 절감'),
      o('드론 시설물 점검', '드론 영상으로 교량과 시설물 상태를 점검'),
      o('GIS 공간정보 플랫폼', '공간정보를 지도 기반으로 분석하고 공유'),
    ],
    plans: [
      { id: 'basic', name: '기본형', unit: '월', min: 1_000_000, max: 5_000_000, maxQuantity: 10 },
      {
        id: 'per-device',
        name: '단말 종량형',
        unit: '단말/월',
        min: 5_000,
        max: 30_000,
        maxQuantity: 50_000,
      },
      { id: 'standard', name: '표준형', unit: '월', min: 5_000_000, max: 20_000_000, maxQuantity: 10 },
    ],
    grades: [
      ['HIGH', 10],
      ['MEDIUM', 45],
      ['LOW', 40],
      [null, 5],
    ],
  },
};

/** Convergence AI services: the first 17 (after shuffling) are listed, the rest are still in the pipeline. */
const aiOfferings: readonly Offering[] = [
  o('생성형 AI 문서 자동화 서비스', '공공 문서 초안 작성과 요약을 생성형 AI로 자동화'),
  o('AI 민원 상담 챗봇', '자주 묻는 민원을 AI 챗봇이 24시간 응대'),
  o('AI 회의록 작성 서비스', '회의 음성을 인식해 회의록을 자동으로 작성'),
  o('AI 영상 분석 CCTV', 'CCTV 영상에서 이상 상황을 AI로 실시간 탐지'),
  o('AI 콜센터 STT', '상담 통화를 텍스트로 변환하고 상담 품질 분석'),
  o('AI 행정 번역 서비스', '행정 문서와 민원을 다국어로 자동 번역'),
  o('AI 보안 위협 탐지', '머신러닝으로 비정상 접속과 침해 시도를 탐지'),
  o('AI OCR 문서 인식', '스캔 문서와 서식을 인식해 데이터로 자동 변환'),
  o('AI 행정 수요 예측', '행정 수요와 민원량을 머신러닝으로 예측'),
  o('AI 법령 검색 도우미', '법령과 판례를 자연어 질문으로 검색하고 요약'),
  o('AI 교통 신호 최적화', '교통량을 분석해 신호 주기를 AI로 자동 조정'),
  o('AI 돌봄 안부 서비스', '홀로 사는 어르신께 AI 음성으로 안부 확인'),
  o('AI 홍수 예측 서비스', '기상·하천 데이터로 홍수 위험을 AI가 예측'),
  o('공공 LLM 업무 지원', '공공 전용 LLM으로 보고서 작성과 질의응답 지원'),
  o('AI 회계 감사 분석', '회계 데이터를 분석해 이상 거래를 자동 탐지'),
  o('AI 영상 자막 생성', '홍보 영상에 자막과 수어 아바타를 자동 생성'),
  o('AI 정책 여론 분석', '정책 뉴스와 여론 데이터를 AI로 분석해 요약'),
  o('AI 복지 사각지대 발굴', '위기 징후 데이터를 분석해 복지 대상자 발굴'),
  o('AI 채용 면접 지원', '공공기관 채용 면접 일정과 평가를 AI로 지원'),
  o('AI 산불 감시 서비스', '산림 카메라 영상에서 연기를 AI로 조기 탐지'),
];

const aiPlans: readonly PlanTemplate[] = [
  { id: 'standard', name: '표준형', unit: '월', min: 3_000_000, max: 20_000_000, maxQuantity: 10 },
  { id: 'per-user', name: '사용자 종량형', unit: '사용자/월', min: 20_000, max: 80_000, maxQuantity: 10_000 },
  { id: 'per-1k-calls', name: '호출 종량형', unit: '1천건', min: 5_000, max: 50_000, maxQuantity: 50_000 },
];

const qualifiers = [
  '공공',
  '스마트',
  '통합',
  '차세대',
  '안심',
  '표준',
  '간편',
  '올인원',
  '프리미엄',
  '행정',
  '오픈',
  '그린',
  '에코',
  '누리',
  '한빛',
  '다온',
  '가온',
  'K-',
  'Gov',
];
const suffixes = ['Plus', 'Pro', '365', 'Lite', 'Max', 'Cloud', 'X', '2.0'];

const length = (s: string) => [...s].length;

const fits = (name: string) => length(name) >= 6 && length(name) <= 20;

/** The names an offering can go by, 6–20 characters: plain or with a qualifier first, then with a suffix. */
function nameVariants(offering: Offering): { plain: string[]; suffixed: string[] } {
  const plain = [
    offering.name,
    ...qualifiers
      .filter((q) => !offering.name.includes(q.replace('-', '')))
      .map((q) => (q.endsWith('-') ? `${q}${offering.name}` : `${q} ${offering.name}`)),
  ];
  const suffixed = plain.flatMap((name) => suffixes.map((suffix) => `${name} ${suffix}`));
  return { plain: plain.filter(fits), suffixed: suffixed.filter(fits) };
}

interface ServiceDraft {
  readonly name: string;
  readonly summary: string;
  readonly category: Category;
  readonly ai: boolean;
  readonly plans: readonly PlanTemplate[];
  readonly grades: CategorySpec['grades'];
}

/** Distinct names per category, drawn without replacement. */
function draftSource(rng: Rng) {
  const used = new Set<string>();
  const pools = new Map<Category, { offering: Offering; name: string }[]>();
  for (const [category, spec] of Object.entries(categorySpecs) as [Category, CategorySpec][]) {
    const variants = spec.offerings.map((offering) => ({ offering, ...nameVariants(offering) }));
    const plain = variants.flatMap((v) => v.plain.map((name) => ({ offering: v.offering, name })));
    const suffixed = variants.flatMap((v) => v.suffixed.map((name) => ({ offering: v.offering, name })));
    // Drawn from the end: plain names first, suffixed ones only once those run out.
    pools.set(category, [...rng.shuffle(suffixed), ...rng.shuffle(plain)]);
  }
  const aiQueue = rng.shuffle(aiOfferings);
  return {
    next(category: Category): ServiceDraft {
      const pool = pools.get(category) ?? [];
      for (;;) {
        const entry = pool.pop();
        if (!entry) throw new Error(`demo data: ran out of ${category} names`);
        if (used.has(entry.name)) continue;
        used.add(entry.name);
        const spec = categorySpecs[category];
        const summary = rng.pick(entry.offering.summaries);
        return { name: entry.name, summary, category, ai: false, plans: spec.plans, grades: spec.grades };
      }
    },
    nextAi(): ServiceDraft {
      const offering = aiQueue.shift();
      if (!offering) throw new Error('demo data: ran out of AI offerings');
      used.add(offering.name);
      return {
        name: offering.name,
        summary: at(offering.summaries, 0),
        category: 'CONVERGENCE',
        ai: true,
        plans: aiPlans,
        grades: categorySpecs.CONVERGENCE.grades,
      };
    },
  };
}

const FIRST_SESSION = 40;
const LAST_SESSION = 62;
const SESSION_INTERVAL_DAYS = 35;

/** When each selection committee session decided (15:00 KST), and until when its selections are valid. */
function sessionCalendar(ctx: Context, session: number): Selection {
  const daysAgo = (LAST_SESSION - session) * SESSION_INTERVAL_DAYS + 20;
  const day = Math.floor((ctx.nowMs - daysAgo * DAY) / DAY) * DAY;
  const validDays = 380 + (session - FIRST_SESSION) * 31;
  return {
    sessionNumber: session,
    decidedAt: iso(day + 6 * HOUR),
    validUntil: dateOnly(ctx.nowMs + validDays * DAY),
  };
}

function pickNetworks(rng: Rng): Network[] {
  return rng.weighted<Network[]>([
    [['INTERNET', 'INTRANET'], 30],
    [['INTERNET'], 55],
    [['INTRANET'], 15],
  ]);
}

function buildPlans(rng: Rng, templates: readonly PlanTemplate[]): PricePlan[] {
  const count = rng.weighted([
    [1, 3],
    [2, 4],
    [3, 3],
  ] as const);
  const chosen = new Set(rng.shuffle(templates).slice(0, count));
  return templates
    .filter((template) => chosen.has(template))
    .map((template) => ({
      id: template.id,
      name: template.name,
      unit: template.unit,
      unitPriceKrw: Math.max(1000, Math.round(rng.range(template.min, template.max) / 1000) * 1000),
    }));
}

/** Listed services with what contract generation needs to know about them. */
interface ListedService {
  readonly service: Service;
  readonly decidedMs: number;
  readonly popularity: number;
  readonly templates: ReadonlyMap<string, PlanTemplate>;
}

function generateServices(ctx: Context, providers: readonly Provider[]) {
  const { rng } = ctx;
  const source = draftSource(rng);
  const certificates = new Set<string>();
  const providerOrder = rng.shuffle(providers);
  let serviceCount = 0;

  const csapFor = (draft: ServiceDraft, createdMs: number): Service['csap'] => {
    const grade = rng.weighted(draft.grades);
    if (!grade) return null;
    const year = new Date(Math.min(createdMs + 60 * DAY, ctx.nowMs)).getUTCFullYear();
    let number = `CSAP-${year}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
    while (certificates.has(number)) number = `CSAP-${year}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
    certificates.add(number);
    return { grade, certificateNumber: number, validUntil: dateOnly(ctx.nowMs + rng.int(180, 1500) * DAY) };
  };

  // Every provider gets one service first; the rest go mostly to a smaller set of busy providers.
  const providerFor = (): Provider => {
    const index = serviceCount++;
    if (index < providerOrder.length) return at(providerOrder, index);
    return at(providerOrder, Math.floor(providerOrder.length * rng.next() ** 1.6));
  };

  const build = (
    draft: ServiceDraft,
    status: ServiceStatus,
    times: { createdMs: number; updatedMs: number; version: number; selection: Selection | null },
  ): Service => ({
    id: ctx.id('svc', times.createdMs),
    providerId: providerFor().id,
    name: draft.name,
    summary: draft.summary,
    category: draft.category,
    ai: draft.ai,
    networks: pickNetworks(rng),
    csap: csapFor(draft, times.createdMs),
    plans: buildPlans(rng, draft.plans),
    status,
    selection: times.selection,
    createdAt: iso(times.createdMs),
    updatedAt: iso(times.updatedMs),
    version: times.version,
  });

  const drafts: ServiceDraft[] = [];
  for (let i = 0; i < demoScale.aiConvergenceServices; i++) drafts.push(source.nextAi());
  for (const [category, spec] of Object.entries(categorySpecs) as [Category, CategorySpec][]) {
    const count = category === 'CONVERGENCE' ? spec.listed - demoScale.aiConvergenceServices : spec.listed;
    for (let i = 0; i < count; i++) drafts.push(source.next(category));
  }
  const listedTotal = Object.values(categorySpecs).reduce((sum, spec) => sum + spec.listed, 0);
  if (drafts.length !== demoScale.listedServices || listedTotal !== demoScale.listedServices) {
    throw new Error('demo data: listed service counts do not add up');
  }

  const listed: ListedService[] = rng.shuffle(drafts).map((draft) => {
    // Later sessions selected more services: the market grew.
    const session = FIRST_SESSION + Math.floor((LAST_SESSION - FIRST_SESSION + 1) * rng.next() ** 0.8);
    const selection = sessionCalendar(ctx, session);
    const decidedMs = Date.parse(selection.decidedAt);
    const createdMs = decidedMs - rng.int(45, 160) * DAY - rng.int(0, 8 * 60) * 60_000;
    const service = build(draft, 'LISTED', { createdMs, updatedMs: decidedMs, version: 4, selection });
    const templates = new Map(draft.plans.map((template) => [template.id, template]));
    return { service, decidedMs, popularity: 0.1 + 0.9 * rng.next() ** 2, templates };
  });

  const pipeline: readonly (readonly [ServiceStatus, number])[] = [
    ['DRAFT', 9],
    ['SUBMITTED', 7],
    ['UNDER_REVIEW', 7],
    ['SUSPENDED', 5],
    ['REJECTED', 6],
    ['WITHDRAWN', 6],
  ];
  const others: Service[] = [];
  for (const [status, count] of pipeline) {
    for (let i = 0; i < count; i++) {
      const aiLeft = status === 'DRAFT' || status === 'SUBMITTED' || status === 'UNDER_REVIEW';
      const draft =
        aiLeft && i === 0
          ? source.nextAi()
          : source.next(
              rng.weighted<Category>([
                ['IAAS', 2],
                ['PAAS', 2],
                ['SAAS', 4],
                ['SUPPORT', 1],
                ['CONVERGENCE', 1],
              ]),
            );
      others.push(build(draft, status, pipelineTimes(ctx, status)));
    }
  }
  return { listed, others };
}

function pipelineTimes(
  ctx: Context,
  status: ServiceStatus,
): { createdMs: number; updatedMs: number; version: number; selection: Selection | null } {
  const { rng } = ctx;
  const latest = ctx.nowMs - HOUR;
  const after = (ms: number, minDays: number, maxDays: number) =>
    Math.min(ms + rng.int(minDays * 24, maxDays * 24) * HOUR, latest);
  switch (status) {
    case 'DRAFT': {
      const createdMs = officeTime(ctx, rng.int(1, 60));
      const edited = rng.chance(0.5);
      const updatedMs = edited ? after(createdMs, 0, 10) : createdMs;
      return { createdMs, updatedMs, version: edited && updatedMs > createdMs ? 2 : 1, selection: null };
    }
    case 'SUBMITTED': {
      const createdMs = officeTime(ctx, rng.int(20, 90));
      return { createdMs, updatedMs: after(createdMs, 3, 15), version: 2, selection: null };
    }
    case 'UNDER_REVIEW': {
      const createdMs = officeTime(ctx, rng.int(30, 120));
      return { createdMs, updatedMs: after(createdMs, 10, 25), version: 3, selection: null };
    }
    case 'REJECTED': {
      const createdMs = officeTime(ctx, rng.int(90, 600));
      return { createdMs, updatedMs: after(createdMs, 30, 60), version: 4, selection: null };
    }
    case 'WITHDRAWN': {
      const createdMs = officeTime(ctx, rng.int(30, 500));
      return { createdMs, updatedMs: after(createdMs, 5, 25), version: rng.int(2, 3), selection: null };
    }
    default: {
      // SUSPENDED: selected in an earlier session, suspended some time after.
      const selection = sessionCalendar(ctx, rng.int(FIRST_SESSION, LAST_SESSION - 2));
      const decidedMs = Date.parse(selection.decidedAt);
      const createdMs = decidedMs - rng.int(45, 160) * DAY;
      const updatedMs = Math.min(decidedMs + seconds((ctx.nowMs - decidedMs) * rng.range(0.3, 0.9)), latest);
      return { createdMs, updatedMs, version: 5, selection };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Contracts

interface Order {
  readonly agency: Agency;
  readonly listed: ListedService;
  readonly plan: PricePlan;
  readonly maxQuantity: number;
  readonly months: number;
  readonly requestedMs: number;
  readonly quotedMs: number;
  readonly signedMs: number;
  /** Relative size, scaled so the catalog total lands about 20% above the signed total. */
  readonly weight: number;
}

const MONTHS: readonly (readonly [number, number])[] = [
  [1, 2],
  [3, 4],
  [6, 8],
  [12, 40],
  [24, 18],
  [36, 10],
];

/** Listed services supporting each network, by selection date, to pick only those listed before a request. */
function servicesByNetwork(listed: readonly ListedService[]): Map<Network, ListedService[]> {
  const byNetwork = new Map<Network, ListedService[]>();
  for (const entry of listed) {
    for (const network of entry.service.networks) {
      const list = byNetwork.get(network) ?? [];
      list.push(entry);
      byNetwork.set(network, list);
    }
  }
  for (const list of byNetwork.values()) list.sort((a, b) => a.decidedMs - b.decidedMs);
  return byNetwork;
}

function pickService(
  rng: Rng,
  byNetwork: ReadonlyMap<Network, readonly ListedService[]>,
  network: Network,
  requestedMs: number,
): ListedService {
  const list = byNetwork.get(network) ?? [];
  let available = 0;
  while (available < list.length && at(list, available).decidedMs < requestedMs) available++;
  if (available === 0) return at(list, 0);
  let choice = at(list, rng.int(0, available - 1));
  for (let attempt = 0; attempt < 8 && !rng.chance(choice.popularity); attempt++) {
    choice = at(list, rng.int(0, available - 1));
  }
  return choice;
}

function generateContracts(ctx: Context, agencies: readonly Agency[], listed: readonly ListedService[]) {
  const { rng } = ctx;
  const byNetwork = servicesByNetwork(listed);
  const busyOrder = rng.shuffle(agencies);

  const order = (agency: Agency, requestedMs: number, quotedMs: number, signedMs: number): Order => {
    const entry = pickService(rng, byNetwork, agency.network, requestedMs);
    const plan = rng.pick(entry.service.plans);
    return {
      agency,
      listed: entry,
      plan,
      maxQuantity: entry.templates.get(plan.id)?.maxQuantity ?? 1,
      months: rng.weighted(MONTHS),
      requestedMs,
      quotedMs,
      signedMs,
      weight: Math.exp(1.1 * rng.normal()),
    };
  };

  // Signed: one per agency first, then the rest to agencies weighted towards a busy few.
  const signedOrders: Order[] = [];
  for (let i = 0; i < demoScale.signedContracts; i++) {
    const agency =
      i < agencies.length ? at(agencies, i) : at(busyOrder, Math.floor(busyOrder.length * rng.next() ** 1.5));
    const signedMs = officeTime(ctx, Math.max(1, Math.round(730 * rng.next() ** 1.2)));
    const leadMs = seconds((3 + 17 * rng.next() ** 1.5) * DAY);
    const requestedMs = signedMs - leadMs;
    const quotedMs = requestedMs + seconds(leadMs * rng.range(0.3, 0.8));
    signedOrders.push(order(agency, requestedMs, quotedMs, signedMs));
  }

  const quantities = fitQuantities(signedOrders, demoScale.signedAmountKrw * 1.2);
  const catalog = signedOrders.map((o, i) => o.plan.unitPriceKrw * at(quantities, i) * o.months);
  const methods = catalog.map((amount) =>
    rng.chance(amount < 100_000_000 ? 0.55 : 0.15) ? ('CATALOG' as const) : ('NEGOTIATED' as const),
  );
  const amounts = settleAmounts(rng, catalog, methods, demoScale.signedAmountKrw);

  const contracts: Contract[] = signedOrders.map((o, i) => {
    const { status, closedMs } = lifecycle(ctx, o.signedMs, o.months);
    return contract(ctx, o, {
      quantity: at(quantities, i),
      method: at(methods, i),
      catalogAmountKrw: at(catalog, i),
      amountKrw: at(amounts, i),
      status,
      quotedMs: o.quotedMs,
      signedMs: o.signedMs,
      closedMs,
    });
  });

  // In progress or cancelled: never signed, so none of them counts towards the signed totals.
  const open: readonly (readonly [ContractStatus, number])[] = [
    ['REQUESTED', 45],
    ['QUOTED', 35],
    ['CANCELLED', 40],
  ];
  for (const [status, count] of open) {
    for (let i = 0; i < count; i++) {
      const agency = rng.pick(agencies);
      const requestedMs =
        status === 'CANCELLED'
          ? officeTime(ctx, rng.int(5, 720))
          : officeTime(ctx, rng.int(1, status === 'QUOTED' ? 20 : 14));
      const o = order(agency, requestedMs, 0, 0);
      const quantity = Math.max(1, Math.min(o.maxQuantity, rng.int(1, 200)));
      const catalogAmountKrw = o.plan.unitPriceKrw * quantity * o.months;
      const method = rng.chance(0.4) ? ('CATALOG' as const) : ('NEGOTIATED' as const);
      const quote =
        method === 'CATALOG'
          ? catalogAmountKrw
          : Math.max(1000, Math.floor((catalogAmountKrw * rng.range(0.8, 0.97)) / 1000) * 1000);
      const wasQuoted = status === 'QUOTED' || (status === 'CANCELLED' && rng.chance(0.5));
      const quotedMs = wasQuoted
        ? Math.min(requestedMs + seconds(rng.range(0.3, 5) * DAY), ctx.nowMs - HOUR)
        : null;
      if (quotedMs !== null && quotedMs <= requestedMs) throw new Error('demo data: quote precedes request');
      const closedMs =
        status === 'CANCELLED'
          ? Math.min((quotedMs ?? requestedMs) + seconds(rng.range(0.5, 10) * DAY), ctx.nowMs - HOUR)
          : null;
      contracts.push(
        contract(ctx, o, {
          quantity,
          method,
          catalogAmountKrw,
          amountKrw: quotedMs === null ? catalogAmountKrw : Math.min(quote, catalogAmountKrw),
          status,
          quotedMs,
          signedMs: null,
          closedMs,
        }),
      );
    }
  }
  return contracts.sort((a, b) =>
    a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : 0,
  );
}

/**
 * Quantities that bring each order near its share of `targetKrw`: a few rounds of rescaling absorb the
 * rounding to whole units and the per-plan caps.
 */
function fitQuantities(orders: readonly Order[], targetKrw: number): number[] {
  const totalWeight = orders.reduce((sum, o) => sum + o.weight, 0);
  let scale = targetKrw / totalWeight;
  let quantities: number[] = [];
  for (let round = 0; round < 12; round++) {
    quantities = orders.map((o) => {
      const ideal = (o.weight * scale) / (o.plan.unitPriceKrw * o.months);
      return Math.max(1, Math.min(o.maxQuantity, Math.round(ideal)));
    });
    const total = orders.reduce((sum, o, i) => sum + o.plan.unitPriceKrw * at(quantities, i) * o.months, 0);
    if (Math.abs(total / targetKrw - 1) < 0.01) break;
    scale *= targetKrw / total;
  }
  return quantities;
}

/**
 * Signed amounts that sum exactly to `totalKrw`: catalog purchases pay the catalog amount, negotiated ones
 * a per-contract discount scaled by one common factor and floored to 1,000 KRW, and the remainder goes to
 * negotiated contracts that still have headroom below their catalog amount.
 */
function settleAmounts(
  rng: Rng,
  catalog: readonly number[],
  methods: readonly ('CATALOG' | 'NEGOTIATED')[],
  totalKrw: number,
): number[] {
  const discounts = catalog.map(() => rng.range(0.82, 1));
  let fixed = 0;
  let negotiable = 0;
  catalog.forEach((amount, i) => {
    if (methods[i] === 'CATALOG') fixed += amount;
    else negotiable += amount * at(discounts, i);
  });
  const factor = (totalKrw - fixed) / negotiable;
  if (!(factor > 0.5 && factor <= 1)) throw new Error(`demo data: cannot reach the total (factor ${factor})`);
  const amounts = catalog.map((amount, i) =>
    methods[i] === 'CATALOG'
      ? amount
      : Math.max(1000, Math.floor((amount * at(discounts, i) * factor) / 1000) * 1000),
  );
  let remainder = totalKrw - amounts.reduce((sum, amount) => sum + amount, 0);
  if (remainder < 0) throw new Error('demo data: amounts overshoot the total');
  const order = rng.shuffle(catalog.map((_, i) => i));
  while (remainder > 0) {
    let progressed = false;
    for (const i of order) {
      if (remainder === 0) break;
      if (methods[i] === 'CATALOG') continue;
      const step = Math.min(remainder, 1000, at(catalog, i) - at(amounts, i));
      if (step <= 0) continue;
      amounts[i] = at(amounts, i) + step;
      remainder -= step;
      progressed = true;
    }
    if (!progressed) throw new Error('demo data: no headroom left to reach the total');
  }
  return amounts;
}

/** A signed contract runs its term: finished ones are COMPLETED, a few end early as TERMINATED. */
function lifecycle(
  ctx: Context,
  signedMs: number,
  months: number,
): { status: 'ACTIVE' | 'COMPLETED' | 'TERMINATED'; closedMs: number | null } {
  const { rng } = ctx;
  const endMs = addMonths(signedMs, months);
  const latest = ctx.nowMs - HOUR;
  const elapsed = Math.min(endMs, latest) - signedMs;
  if (elapsed > 2 * DAY && rng.chance(0.04)) {
    return { status: 'TERMINATED', closedMs: signedMs + seconds(elapsed * rng.range(0.2, 0.9)) };
  }
  if (endMs < latest) return { status: 'COMPLETED', closedMs: endMs };
  return { status: 'ACTIVE', closedMs: null };
}

const contractVersion: Record<ContractStatus, number> = {
  REQUESTED: 1,
  QUOTED: 2,
  ACTIVE: 3,
  COMPLETED: 4,
  TERMINATED: 4,
  CANCELLED: 2,
};

function contract(
  ctx: Context,
  o: Order,
  fields: {
    quantity: number;
    method: Contract['method'];
    catalogAmountKrw: number;
    amountKrw: number;
    status: ContractStatus;
    quotedMs: number | null;
    signedMs: number | null;
    closedMs: number | null;
  },
): Contract {
  const requestedAt = iso(o.requestedMs);
  const signedAt = fields.signedMs === null ? null : iso(fields.signedMs);
  // A cancelled contract took one more transition if it had been quoted.
  const version =
    fields.status === 'CANCELLED' && fields.quotedMs !== null ? 3 : contractVersion[fields.status];
  return {
    id: ctx.id('ctr', o.requestedMs),
    agencyId: o.agency.id,
    serviceId: o.listed.service.id,
    providerId: o.listed.service.providerId,
    planId: o.plan.id,
    quantity: fields.quantity,
    months: o.months,
    method: fields.method,
    catalogAmountKrw: fields.catalogAmountKrw,
    amountKrw: fields.amountKrw,
    status: fields.status,
    requestedAt,
    quotedAt: fields.quotedMs === null ? null : iso(fields.quotedMs),
    signedAt,
    closedAt: fields.closedMs === null ? null : iso(fields.closedMs),
    leadTimeDays: signedAt === null ? null : leadTimeDays(requestedAt, signedAt),
    createdAt: requestedAt,
    version,
  };
}
