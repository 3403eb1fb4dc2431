// Preloaded with `node -r` to run mqtt-packet's own test suite (node_modules/mqtt-packet/test.js) against another
// implementation of its API: the suite's `require('./')` is answered with the module named by MQTT_PACKET_IMPL.
// A test whose body throws (a `generate` that refuses its packet) is reported as failed and the run goes on, where
// tape alone would stop the whole run at the first such test; so is a test whose plan is still unmet 2 s after its
// body returned (tape alone would wait for it until the process exits, and report every later test as not run).
'use strict';
const Module = require('node:module');
const path = require('node:path');

const impl = process.env.MQTT_PACKET_IMPL;
if (!impl) throw new Error('MQTT_PACKET_IMPL must name the module to test');
const suite = require.resolve('mqtt-packet/test.js');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === './' && parent && parent.filename === suite) return path.resolve(impl);
  return resolve.call(this, request, parent, ...rest);
};

const tapePath = require.resolve('tape', { paths: [path.dirname(suite)] });
const tape = require(tapePath);
function test(name, opts, cb) {
  const body = typeof opts === 'function' ? opts : cb;
  const guarded = (t) => {
    // an unmet plan: tape fails the test with 'plan != count' as it ends it
    const timer = setTimeout(() => t.end(), 2000);
    t.once('end', () => clearTimeout(timer));
    try {
      return body(t);
    } catch (e) {
      // tape reports a rejected promise as a failure of this test and ends it
      return Promise.reject(e);
    }
  };
  return typeof opts === 'function' ? tape(name, guarded) : tape(name, opts, guarded);
}
Object.assign(test, tape);
require.cache[tapePath].exports = test;
