// Awaiting a condition in tests, instead of sleeping for a guessed time.

/**
 * Polls `probe` until it returns a value other than undefined or false, and returns it;
 * throws after `timeoutMs`, naming `what` (a function is called only then, e.g. to show
 * the latest output of a process).
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => T | Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Runs `assertion` until it stops throwing; after `timeoutMs` throws its last failure. For
 * state that settles a moment after the event a test awaited (a counter that moves after a
 * commit): the test waits for exactly what it asserts, and a failure shows the assertion's
 * own diff.
 */
export async function untilPasses(assertion: () => unknown, timeoutMs = 15_000, intervalMs = 20): Promise<void> {
  let failure: unknown;
  const passes = async () => {
    try {
      await assertion();
      return true;
    } catch (error) {
      failure = error;
      return false;
    }
  };
  await waitFor('an assertion to pass', passes, timeoutMs, intervalMs).catch((timeout: unknown) => {
    throw failure ?? timeout;
  });
}
