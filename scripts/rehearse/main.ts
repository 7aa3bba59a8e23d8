import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { STAGES, STAGE_NAMES, dataStackName, type StageName } from '../../infra/data/stages';
import type { CfnTemplate } from '../../infra/policy/cfn-template';
import { parseOptions, runCli } from '../shared/cli';
import { createClients, createKmsClient } from '../shared/clients';
import { createCloudFormationClient } from '../shared/stage-key-identity';
import { rehearseMovedAlias } from './alias-cases';
import { synthStageTemplate } from '../shared/stage-template';
import { lintTemplates } from './cfn-lint';
import { deployStage, type DeployedStage } from './deploy-stage';
import { runSuitesOnMoto } from './jest-on-moto';
import { INSTALL_HINT, requireTools, startMoto } from './moto-server';
import { MOTO_GAPS, Rehearsal } from './report';
import { rehearseConflicts } from './client-cases';
import { rehearseDocsCliExamples } from './docs-cli-cases';
import { rehearseRestore } from './restore-cases';
import { rehearseTokens } from './token-cases';
import { rehearseDrift, rehearseStages } from './verify-cases';

const USAGE = `Usage: npm run rehearse

Rehearses the tools against moto, an independent implementation of the AWS APIs, started on a
free loopback port and stopped at the end (also on failure and Ctrl-C): creates every stage from
its synthesized template, runs verify on each and after each of nine drifts, restore --execute from each
source with the data checked, the token store on moto's KMS, and the data client's suites with
moto as their engine; cfn-lint over every template; and every AWS CLI example of the docs against
npm run local -- --keep --port 0, with the settings it prints. What moto cannot answer is said, not
asserted. Needs moto_server, cfn-lint and the AWS CLI: ${INSTALL_HINT}.
Exit code: 0 every check passed, 1 a check failed, 2 a tool is missing or moto did not start.`;

/** Fixed credentials for moto, which checks none: real ones in the environment are never sent to it. */
const MOTO_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'rehearsal', AWS_SECRET_ACCESS_KEY: 'rehearsal' } as const;

const rank = (stage: StageName) => (STAGES[stage].protectData ? 1_000 : 0) + STAGES[stage].pitrRecoveryPeriodDays;

/** Every stage's template, synthesized in process. */
function synthEveryStage(): Record<StageName, CfnTemplate> {
  return Object.fromEntries(STAGE_NAMES.map((stage) => [stage, synthStageTemplate(stage)])) as Record<StageName, CfnTemplate>;
}

/** `npm run rehearse`: resolves to the exit code. */
export async function main(
  argv: string[],
  print: (line: string) => void = console.log,
  templatesOf: () => Record<StageName, CfnTemplate> = synthEveryStage,
): Promise<number> {
  parseOptions(argv, {}, { usage: USAGE });
  requireTools();
  const started = performance.now();
  const rehearsal = new Rehearsal(print);
  const templates = templatesOf();
  const scratch = mkdtempSync(join(tmpdir(), 'rehearse-'));
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  process.once('exit', removeScratch);
  // Stops what runs beside the cases (cfn-lint, the suites) when the rehearsal ends before them.
  const ending = new AbortController();
  const linted = settled('cfn-lint ran over every template', lintTemplates(templates, scratch, { signal: ending.signal }));
  try {
    return await rehearse(rehearsal, templates, linted, ending, print, started);
  } finally {
    ending.abort();
    await linted;
    process.off('exit', removeScratch);
    removeScratch();
  }
}

/** The cases against moto, once cfn-lint has started beside them. */
async function rehearse(
  rehearsal: Rehearsal,
  templates: Record<StageName, CfnTemplate>,
  linted: Promise<Report>,
  ending: AbortController,
  print: (line: string) => void,
  started: number,
): Promise<number> {
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[name];
  Object.assign(process.env, MOTO_CREDENTIALS);
  const moto = await startMoto();
  const interrupted = (signal: NodeJS.Signals) => {
    void moto.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  print(`moto on ${moto.endpoint}`);
  try {
    const region = STAGES[STAGE_NAMES[0]!].region;
    const target = { region, endpoint: moto.endpoint };
    const clients = { dynamodb: createClients(target).client, kms: createKmsClient(target), cloudformation: createCloudFormationClient(target) };
    let suites: Promise<Report> | undefined;
    try {
      rehearsal.section('Every stage created from its synthesized template, then verified');
      const deployed = {} as Record<StageName, DeployedStage>;
      for (const stage of STAGE_NAMES) deployed[stage] = await deployStage(templates[stage], clients, dataStackName(stage));
      await rehearseStages(rehearsal, moto.endpoint);
      // The suites run on a server of their own, beside the stage cases.
      suites = settled('the client suites ran on moto', runSuitesOnMoto(ending.signal));

      // The protected stage with the longest PITR window: every setting verify checks is on there to drift from.
      const stage = [...STAGE_NAMES].sort((a, b) => rank(b) - rank(a))[0]!;
      rehearsal.section(`Drift on ${stage}: each change must fail exactly its checks`);
      await rehearseDrift(rehearsal, moto.endpoint, clients, stage, deployed[stage], templates[stage]);
      rehearsal.notChecked(`drift on ${stage}: a table re-encrypted under another key`, MOTO_GAPS.sseChanges);
      await rehearseMovedAlias(rehearsal, moto.endpoint, clients.kms, stage, deployed[stage]);

      rehearsal.section(`restore --execute on ${stage}, from each source`);
      await rehearseRestore(rehearsal, moto.endpoint, clients.dynamodb, stage);

      rehearsal.section(`Sealed tokens on ${stage}'s token key in moto's KMS`);
      await rehearseTokens(rehearsal, clients, stage, deployed[stage]);

      rehearsal.section(`The data client on ${stage}, where DynamoDB's answers differ from dynalite's`);
      await rehearseConflicts(rehearsal, clients.dynamodb, stage, deployed[stage]);

      rehearsal.section("The docs' AWS CLI examples against npm run local, with the settings it prints");
      await rehearseDocsCliExamples(rehearsal, templates.dev);

      (await suites)(rehearsal);
      (await linted)(rehearsal);
    } finally {
      // Awaited on success already; after a case that threw, the suites are stopped, their own moto with them.
      ending.abort();
      await suites;
      clients.dynamodb.destroy();
      clients.kms.destroy();
      clients.cloudformation.destroy();
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await moto.stop();
  }
  return rehearsal.finish((performance.now() - started) / 1000);
}

/** What a part of the rehearsal adds to the report. */
type Report = (rehearsal: Rehearsal) => void;

/**
 * A part that runs beside the others, settled where it starts: its failure becomes a failed check
 * in the report instead of an unhandled rejection that would end the run before moto is stopped.
 */
function settled(name: string, part: Promise<Report>): Promise<Report> {
  return part.catch((error: unknown) => (rehearsal: Rehearsal) => {
    rehearsal.check(name, false, error instanceof Error ? error.message : String(error));
  });
}

if (import.meta.main) runCli(main);
