import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** Props of {@link StageKey}. */
export interface StageKeyProps {
  /** Alias, e.g. `alias/inavor-shuttle/prod/data`. */
  readonly alias: string;
  /** What the key encrypts, shown in the KMS console. */
  readonly description: string;
}

/**
 * A customer-managed key of a stage: rotation on and retained in every stage, since losing a
 * key loses every table, backup and message encrypted with it. Every key of the data layer is
 * one of these, so each gets the same policy.
 */
export class StageKey extends kms.Key {
  constructor(scope: Construct, id: string, props: StageKeyProps) {
    super(scope, id, {
      alias: props.alias,
      description: props.description,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
