import { rmSync } from 'node:fs';
import { CDK_OUT_ENV } from './cdk-out';

/** Removes the cloud assembly the global setup synthesized. */
export default function globalTeardown(): void {
  const dir = process.env[CDK_OUT_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
