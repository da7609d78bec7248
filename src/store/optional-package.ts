import { ErrorCodes, WorkermanError } from '../errors.js';

/**
 * Imports an npm package the framework does not depend on (a Redis or
 * memcached client), when a feature that needs it is first used: apps that
 * never use that feature do not install it. A missing package is
 * `WM_ERR_MISSING_PACKAGE` naming the install command; any other failure
 * of the import is passed on as it is.
 */
export async function importOptional<Module>(name: string, neededBy: string): Promise<Module> {
  try {
    return (await import(name)) as Module;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // The package itself is missing, not one of its own dependencies.
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      message.includes(`'${name}'`);
    if (!missing) throw error;
    throw new WorkermanError(
      ErrorCodes.MISSING_PACKAGE,
      `${neededBy} needs the npm package "${name}", which is not installed: npm install ${name} ` +
        '(or pass a client you created)',
      { cause: error },
    );
  }
}
