// The template validator runs in `cdk synth` (and so in CI); the unit tests assert templates
// themselves, so they skip its 1-2 s per synthesis.
process.env.CDK_VALIDATION = 'false';
// The SDK warns once per process that Node 20 support ends in 2027; the engines field says so already.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
