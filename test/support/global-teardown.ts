import { rmSync } from 'node:fs';
import { TEST_TMP_ENV } from './cdk-out';

/** Removes the run's temporary folder: the cloud assembly and whatever the suites wrote. */
export default function globalTeardown(): void {
  const dir = process.env[TEST_TMP_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
