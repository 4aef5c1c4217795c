import { Logger } from '@aws-lambda-powertools/logger';
import { expireSelections } from '../domain/selection.js';
import { deps } from './composition-root.js';

const logger = new Logger({ serviceName: 'marketplace-selection-expiry' });

/** Scheduled daily in each Region; see `expireSelections` for why running it twice is harmless. */
export async function handler(): Promise<{ expired: number }> {
  const expired = await expireSelections(deps(), new Date());
  logger.info('selection expiry done', { expired });
  return { expired };
}
