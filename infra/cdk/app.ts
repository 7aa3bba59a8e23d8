import { App, Validations } from 'aws-cdk-lib';
import { ControlTowerChecks } from './control-tower';
import { addDataStacks } from './data-app';
import { runReportingConfigErrors } from '../data/config-error';

runReportingConfigErrors(() => {
  const app = new App();
  // AWS Control Tower's proactive controls fail synth (and so CI and deploys) as nag errors do.
  Validations.of(app).addPlugins(new ControlTowerChecks());
  const stage: unknown = app.node.tryGetContext('stage');
  addDataStacks(app, { stages: stage === undefined ? undefined : [String(stage)], nagReports: true });
  app.synth();
});
