import { App } from 'aws-cdk-lib';
import { ConfigError, addDataStacks } from './data-app';

try {
  const app = new App();
  const stage: unknown = app.node.tryGetContext('stage');
  addDataStacks(app, { stages: stage === undefined ? undefined : [String(stage)], nagReports: true });
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(`Error: ${problem}`);
  process.exit(1);
}
