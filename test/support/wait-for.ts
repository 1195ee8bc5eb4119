/**
 * Polls `check` every 100 ms until it holds, for what a server does in the background (a deployment switch, the
 * prediction log, a webhook delivery); throws naming `what` after `attempts` tries.
 */
export const waitFor = async (check: () => Promise<boolean>, what: string, attempts = 100): Promise<void> => {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};
