// The DynamoDB client's code loads with the entry; the operations on first use (see apiHandler).
import '../adapters/dynamodb/client.js';
import { apiHandler } from '../http/api.js';

export const handler = apiHandler('reviews', () => import('./operations/reviews.js'));
