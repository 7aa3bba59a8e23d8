import { App } from 'aws-cdk-lib';
import { addDataStacks } from './data-app';
import { runReportingConfigErrors } from './stage-selection';

runReportingConfigErrors(() => {
  const app = new App();
  const stage: unknown = app.node.tryGetContext('stage');
  addDataStacks(app, { stages: stage === undefined ? undefined : [String(stage)], nagReports: true });
  app.synth();
});
