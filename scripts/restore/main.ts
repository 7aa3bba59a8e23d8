import { STAGE_NAMES } from '../../infra/data/stages';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { parseOptions, printable, runCli } from '../shared/cli';
import { createClients, createKmsClient } from '../shared/clients';
import { createCloudFormationClient } from '../shared/stage-key-identity';
import { adoptionSteps } from './adoption';
import { REAL_CLOCK, executePlan, preflight, type Clock, type RestoreClients } from './execute';
import { buildPlan, formatPlan } from './plan';
import { DEFAULT_MAX_WAIT_MINUTES, DEFAULT_POLL_SECONDS, MAX_WAIT_MINUTES_RANGE, POLL_SECONDS_RANGE, parseRestoreRequest } from './request';
import { endpointTarget, parseEndpoint } from '../verify/main';

const USAGE = `Usage: npm run restore -- --stage <${STAGE_NAMES.join('|')}> --table <${TABLE_SCHEMAS.map((schema) => schema.name).join('|')}>
         (--to <ISO time> | --latest | --backup-arn <arn>) [--target <name>] [--execute]

Restores a table into a new table and re-applies what a restore does not bring back (TTL, PITR,
deletion protection, tags), then runs the verify checks on it. Without --execute it only prints
the plan, after read-only checks. It never deletes or overwrites a table. See
docs/restore-runbook.md. Exit code: 0 done (or planned), 1 a step failed midway (what was done
and what is left are printed), 2 a usage error or a check that stops the restore before it starts.

  --stage <name>          the stage of the table
  --table <name>          the table, by its name in the schema map
  --to <ISO time>         restore the table as it was at this time (with a zone, e.g. 2026-11-27T09:30:00Z)
  --latest                restore the table at its latest restorable time
  --backup-arn <arn>      restore a DynamoDB backup (arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>)
  --target <name>         name of the new table (default <Table>-<stage>-restored-<UTC time>)
  --execute               restore; without it nothing is changed
  --poll-interval <s>     seconds between two status checks while restoring, ${POLL_SECONDS_RANGE.join(' to ')} (default ${DEFAULT_POLL_SECONDS})
  --max-wait <min>        minutes to wait for the restored table to become ACTIVE, ${MAX_WAIT_MINUTES_RANGE.join(' to ')} (default ${DEFAULT_MAX_WAIT_MINUTES})
  --endpoint <url>        another endpoint for DynamoDB, KMS and CloudFormation (as npm run verify's)`;

/** The clients of a stage's region (or of the endpoint given), with the network time limits every command has. */
function connect(region: string, endpoint?: string): RestoreClients {
  const target = endpointTarget(region, endpoint);
  return { dynamodb: createClients(target).client, kms: createKmsClient(target), cloudformation: createCloudFormationClient(target) };
}

/** `npm run restore`: resolves to the exit code. */
export async function main(
  argv: string[],
  printLine: (line: string) => void = console.log,
  now: () => Date = () => new Date(),
  clientsFor: (region: string, endpoint?: string) => RestoreClients = connect,
  clock: Clock = REAL_CLOCK,
): Promise<number> {
  // Lines quote what the endpoint answered (statuses, error messages): none may act on the terminal.
  const print = (line: string) => printLine(printable(line));
  const options = parseOptions(argv, {
    stage: { type: 'string' },
    table: { type: 'string' },
    to: { type: 'string' },
    latest: { type: 'boolean' },
    'backup-arn': { type: 'string' },
    target: { type: 'string' },
    execute: { type: 'boolean' },
    'poll-interval': { type: 'string' },
    'max-wait': { type: 'string' },
    endpoint: { type: 'string' },
  }, { usage: USAGE });
  const request = parseRestoreRequest(options, now());
  const clients = clientsFor(request.policy.region, options.endpoint === undefined ? undefined : parseEndpoint(options.endpoint));
  try {
    const plan = buildPlan(request, await preflight(request, clients));
    for (const line of formatPlan(plan)) print(line);
    if (request.execute) return await executePlan(plan, clients, print, clock);
    for (const line of adoptionSteps(request)) print(line);
    print('Nothing was changed. Run again with --execute to restore.');
    return 0;
  } finally {
    clients.dynamodb.destroy();
    clients.kms.destroy();
    clients.cloudformation.destroy();
  }
}

if (import.meta.main) runCli(main);
