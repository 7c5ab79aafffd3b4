/**
 * uvu swallows an error thrown by a `before` hook: its suite only shows
 * "(0 / N)". `loud` prints the error first, so a failed cluster setup says why.
 */
export function loud<T>(hook: (context: T) => Promise<void>): (context: T) => Promise<void> {
  return async (context) => {
    try {
      await hook(context);
    } catch (error) {
      process.stderr.write(`\n  a before hook failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      throw error;
    }
  };
}
