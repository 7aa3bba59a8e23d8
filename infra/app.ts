import { App } from 'aws-cdk-lib';
import { addDataStacks, runReportingConfigErrors } from './data-app';

runReportingConfigErrors(() => {
  const app = new App();
  const stage: unknown = app.node.tryGetContext('stage');
  addDataStacks(app, { stages: stage === undefined ? undefined : [String(stage)], nagReports: true });
  app.synth();
});
