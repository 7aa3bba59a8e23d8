import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DATA_ROLES } from '../../policy/data-roles';
import { DATA_ROLE_PURPOSES, TRUSTED_SERVICES, dataRoleName, type DataRolePurpose, type TrustedService } from '../../data/stages';

/** Props of {@link DataRoles}. */
export interface DataRolesProps {
  /** Name of the stage, carried in the role names. */
  readonly stageName: string;
  /** The service each role trusts, from the stage's access policy. */
  readonly trust: Readonly<Record<DataRolePurpose, TrustedService>>;
}

/**
 * One role per process of the app that uses the data layer (`DATA_ROLES`), named
 * `inavor-shuttle-<stage>-<purpose>` and trusted by the service the stage says (an App Runner
 * instance role, a Lambda execution role). They live here, not in the app's stacks, so that the
 * token key's policy can name them; the app imports their ARNs. The grants are added by
 * `DataStack`, through the same methods that serve roles defined elsewhere.
 */
export class DataRoles extends Construct {
  /** The roles by purpose. */
  public readonly roles: Readonly<Record<DataRolePurpose, iam.Role>>;

  constructor(scope: Construct, id: string, props: DataRolesProps) {
    super(scope, id);
    const roles = {} as Record<DataRolePurpose, iam.Role>;
    for (const purpose of DATA_ROLE_PURPOSES) {
      roles[purpose] = new iam.Role(this, purpose, {
        roleName: dataRoleName(props.stageName, purpose),
        assumedBy: new iam.ServicePrincipal(TRUSTED_SERVICES[props.trust[purpose]]),
        description: DATA_ROLES[purpose].does,
      });
    }
    this.roles = roles;
  }
}
