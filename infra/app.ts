import { App } from 'aws-cdk-lib';
import { ConfigError, addDataStacks, selectStages } from './data-app';

try {
  const app = new App();
  addDataStacks(app, { stages: selectStages(app.node.tryGetContext('stage')), nagReports: true });
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(`Error: ${problem}`);
  process.exit(1);
}
