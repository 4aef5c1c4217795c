import type { Logger } from '@aws-lambda-powertools/logger';
import { finishPendingDecisions } from '../../domain/case-decision.js';
import { terminateDue } from '../../domain/contract.js';
import { announceExpiring } from '../../domain/expiry-events.js';
import { expireSelections } from '../../domain/selection.js';
import { deps, eventDeps } from '../composition-root.js';

export interface DailyJobResult {
  readonly expired: number;
  readonly decisionsFinished: number;
  readonly terminated: number;
  readonly announced: number;
}

/**
 * The daily job, scheduled in each Region: lapsed selections expire, awards and closes a lost Region left
 * half done are finished, scheduled terminations take effect, and the 30- and 7-day expiry notices are
 * filed. Each part is idempotent (see each; `announceExpiring` for why its events are filed once), so
 * running it twice, or in both Regions, is harmless.
 */
export async function dailyJob(logger: Logger): Promise<DailyJobResult> {
  const now = new Date();
  const expired = await expireSelections(deps(), now);
  const decisionsFinished = await finishPendingDecisions(deps());
  const terminated = await terminateDue(deps(), now);
  const announced = await announceExpiring(deps(), eventDeps().feed, now);
  logger.info('daily job done', { expired, decisionsFinished, terminated, announced });
  return { expired, decisionsFinished, terminated, announced };
}
