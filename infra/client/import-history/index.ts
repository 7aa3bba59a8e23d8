export { ImportHistoryClient } from './import-history-client';
export { SLOTS_PER_MILLISECOND, importFinishedAt, importTimestamp, lastKeyOf } from './timestamps';
export type { ImportHistoryClientOptions, ImportHistoryItem, ImportHistoryListOptions, ImportHistoryWrite, ImportRecord } from './types';
