'use strict';
// The Encryption SDK and the KMS client are loaded on first use: an app whose role seals nothing
// (a worker without the token grant) never pays their start-up time. This file is CommonJS
// wherever the client runs, so `require` loads them at once, as the keyrings' functions need: the
// package build and Jest run the client as CommonJS, the commands run its TypeScript as ES
// modules, which have no `require`, and an `import()` would make those functions asynchronous.

/** @type {typeof import('@aws-crypto/client-node') | undefined} */
let sdk;

/** @returns {typeof import('@aws-crypto/client-node')} */
exports.encryptionSdk = () => (sdk ??= require('@aws-crypto/client-node'));

/** @returns {typeof import('@aws-sdk/client-kms')} */
exports.kmsCommands = () => require('@aws-sdk/client-kms');
