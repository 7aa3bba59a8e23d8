import { Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagReportFormat } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** How nag runs. */
export interface NagOptions {
  /** Write JSON and CSV reports next to the templates; off in tests that synth to a temp folder. */
  readonly reports: boolean;
}

/**
 * All cdk-nag wiring lives here. cdk-nag 2.x runs packs as Aspects; 3.x runs them as a policy
 * validation plugin instead, and moving to it means changing only this function.
 */
export function applyNag(scope: IConstruct, options: NagOptions): void {
  Aspects.of(scope).add(
    new AwsSolutionsChecks({
      verbose: true,
      reports: options.reports,
      reportFormats: [NagReportFormat.JSON, NagReportFormat.CSV],
    }),
  );
}
