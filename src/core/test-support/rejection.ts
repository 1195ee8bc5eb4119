/** The code and message a call rejected with, for the store contracts' exact assertions; fails if it resolved. */
export const rejection = async (promise: Promise<unknown>): Promise<{ code: string; message: string }> => {
  try {
    await promise;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error("expected the call to fail");
};
