export { JOB_ID_PATTERN } from './ids';
export { JobsClient } from './jobs-client';
export { JOB_STATUSES, JOB_TRANSITIONS, type JobStatus, type NextStatus } from './states';
export type { Job, JobRef, JobSummary, JobsClientOptions, LapsedJob, NewJob, PageOptions } from './types';
