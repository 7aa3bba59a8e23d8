import { STAGES } from '../../../infra/data/stages';
import { validateStages } from '../../../infra/validation';
import { problemsAfter } from '../../support/data-config-problems';

describe('stage access: the break-glass role and the data-access roles\' trust', () => {
  test('the committed access blocks have no problems', () => {
    expect(validateStages(STAGES)).toEqual([]);
  });

  test('a missing access block is rejected naming stage and field', () => {
    expect(problemsAfter((_tables, stages) => delete stages.prod.access)).toEqual(['stages.prod.access: expected {breakGlassRole, roleTrust, deployFrom, appDeployRole, reason}, got undefined']);
  });

  test.each(['*', '*BreakGlass', 'aws-reserved/sso.amazonaws.com/*'])('a break-glass role of %s, which roles anyone can create would match, is rejected', (role) => {
    expect(problemsAfter((_tables, stages) => (stages.prod.access.breakGlassRole = role))).toEqual([
      `stages.prod.access.breakGlassRole: "${role}" starts with or is only a wildcard, so roles anyone can create would match it; name the role`,
    ]);
  });

  test('a break-glass role with characters IAM refuses, or a name over 64 characters, is rejected', () => {
    expect(problemsAfter((_tables, stages) => (stages.prod.access.breakGlassRole = 'break glass'))).toEqual([
      'stages.prod.access.breakGlassRole: "break glass" is not a role path and name (letters, digits, + = , . @ _ - and /, with * for any run of characters)',
    ]);
    expect(problemsAfter((_tables, stages) => (stages.prod.access.breakGlassRole = `path/${'a'.repeat(65)}`))).toEqual([
      'stages.prod.access.breakGlassRole: the name is 65 characters; IAM allows at most 64',
    ]);
  });

  test('a role trusting an unknown service, a missing role and an unknown one are each rejected', () => {
    expect(
      problemsAfter((_tables, stages) => {
        stages.staging.access.roleTrust.webApp = 'ec2';
        delete stages.staging.access.roleTrust.redaction;
        stages.staging.access.roleTrust.reporting = 'lambda';
      }),
    ).toEqual([
      'stages.staging.access.roleTrust.webApp: "ec2" is not a trusted service (appRunner, lambda)',
      'stages.staging.access.roleTrust.redaction: undefined is not a trusted service (appRunner, lambda)',
      'stages.staging.access.roleTrust.reporting: not a data-access role (webApp, jobWorker, tokenRefresher, redaction)',
    ]);
  });

  test.each(['*', 'aws-reserved/*'])('an app deploy role of %s is rejected like a wildcard break-glass role', (role) => {
    expect(problemsAfter((_tables, stages) => (stages.staging.access.appDeployRole = role))).toEqual([
      `stages.staging.access.appDeployRole: "${role}" starts with or is only a wildcard, so roles anyone can create would match it; name the role`,
    ]);
  });

  test('a deploy origin that is not a repository and an environment GitHub would put in the token\'s subject is rejected', () => {
    expect(problemsAfter((_tables, stages) => (stages.prod.access.deployFrom = { repository: 'inavor-shuttle-data', environment: 'prod:*' }))).toEqual([
      'stages.prod.access.deployFrom.repository: "inavor-shuttle-data" is not a GitHub repository as owner/name',
      'stages.prod.access.deployFrom.environment: "prod:*" is not a GitHub environment name (letters, digits, . _ -, no : or *)',
    ]);
    expect(problemsAfter((_tables, stages) => delete stages.prod.access.deployFrom)).toEqual([
      'stages.prod.access.deployFrom: expected {repository, environment}, the GitHub repository and environment that deploy the stage, got undefined',
    ]);
  });

  test('an access block without a reason is rejected', () => {
    expect(problemsAfter((_tables, stages) => (stages.dev.access.reason = ''))).toEqual(['stages.dev.access.reason: expected one line on who holds the break-glass role']);
  });
});
