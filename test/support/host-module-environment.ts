import { TestEnvironment } from 'jest-environment-node';
import { HOST_REQUIRE } from './host-module-resolver';

/**
 * Jest's Node environment, plus what lets aws-cdk-lib, constructs and cdk-nag load once per worker
 * (see `host-module-resolver.ts`): Node's own `require`, and the worker's `process.env` instead of
 * a copy, since that is the environment those modules read (`App` reads `CDK_CONTEXT_JSON` there).
 *
 * What sharing costs: those packages' module state and the environment outlive a test file within
 * a worker, so a test that sets a variable deletes it again; `jest.mock` cannot replace them; and
 * what they make belongs to the worker's realm, not the sandbox's, so `instanceof Error` (or
 * `Array`) is false on it in a test file. Code under test checks `instanceof` only on its own
 * classes, aws-cdk-lib's, and the AWS SDK's errors (the SDK stays in the sandbox for that reason).
 */
export default class HostModuleEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    Object.assign(this.global, { [Symbol.for(HOST_REQUIRE)]: require });
    this.global.process.env = process.env;
  }
}
