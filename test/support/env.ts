// The template validator runs in `cdk synth` (and so in CI); the unit tests assert templates
// themselves, so they skip its 1-2 s per synthesis.
process.env.CDK_VALIDATION = 'false';
