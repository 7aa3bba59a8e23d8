/** The statuses a job can be in. */
export const JOB_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;

/** A job's status. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * The job state machine: the statuses each status may move to. PENDING → RUNNING → COMPLETED or
 * FAILED; PENDING or RUNNING → CANCELLED. The last three are final.
 */
export const JOB_TRANSITIONS = {
  PENDING: ['RUNNING', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
} as const satisfies Record<JobStatus, readonly JobStatus[]>;

/** The statuses a job in status `F` may move to. */
export type NextStatus<F extends JobStatus> = (typeof JOB_TRANSITIONS)[F][number];

/** The job types and matching modes the map declares. */
export const JOB_TYPES = ['import', 'export'] as const;
export const JOB_MODES = ['create', 'update', 'upsert'] as const;
