module.exports = async function globalTeardown() {
  const child = globalThis.__CARACAL_TRIAGE_REDIS__;
  if (child && child.exitCode === null) {
    await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
  }
};
