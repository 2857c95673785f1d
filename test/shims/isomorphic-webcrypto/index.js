/* global module */
// fhirclient reads globalThis.crypto first and only falls back to this module where WebCrypto is missing.
module.exports = { default: globalThis.crypto };
