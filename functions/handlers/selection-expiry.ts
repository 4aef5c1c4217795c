import { Logger } from '@aws-lambda-powertools/logger';
import { finishPendingDecisions } from '../domain/case-decision.js';
import { terminateDue } from '../domain/contract.js';
import { expireSelections } from '../domain/selection.js';
import { deps } from './composition-root.js';

const logger = new Logger({ serviceName: 'marketplace-selection-expiry' });

/**
 * The daily job, scheduled in each Region: lapsed selections expire, awards and closes a lost Region left
 * half done are finished, and scheduled terminations take effect. Each part is idempotent (see each), so
 * running it twice, or in both Regions, is harmless.
 */
export async function handler(): Promise<{ expired: number; decisionsFinished: number; terminated: number }> {
  const now = new Date();
  const expired = await expireSelections(deps(), now);
  const decisionsFinished = await finishPendingDecisions(deps());
  const terminated = await terminateDue(deps(), now);
  logger.info('daily job done', { expired, decisionsFinished, terminated });
  return { expired, decisionsFinished, terminated };
}
