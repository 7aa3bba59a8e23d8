// The template validator runs in `cdk synth` (and so in CI); the unit tests assert templates
// themselves, so they skip its 1-2 s per synthesis.
process.env.CDK_VALIDATION = 'false';
// The SDK warns once per process that its 2027 releases need Node 22: noise in every suite's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
