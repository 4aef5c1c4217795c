import { apiHandler } from '../http/api.js';

export const handler = apiHandler('docs', () => import('./operations/docs.js'));
