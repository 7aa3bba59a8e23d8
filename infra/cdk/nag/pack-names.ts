// Apart from the packs themselves, so nag-report knows which reports to expect without loading cdk-nag.

/** cdk-nag's AwsSolutions pack, which `applyNag` runs on every stack of the app. */
export const AWS_SOLUTIONS_PACK = 'AwsSolutions';

/** The project's DataProtection pack, which `applyNag` runs on each data stack by its stage's policy. */
export const DATA_PROTECTION_PACK = 'DataProtection';
