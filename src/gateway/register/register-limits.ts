import { ErrorCodes, WorkermanError } from '../../errors.js';

/** The settings of a Register that `validateRegister` checks. */
export interface RegisterSettings {
  readonly name: string;
  readonly secretKey: unknown;
  readonly authTimeout: unknown;
  readonly maxConnections: unknown;
  readonly maxPackageSize: unknown;
}

/** Lines shorter than this could not hold a gateway's announce. */
const MIN_PACKAGE_SIZE = 512;

const isPositive = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;
const isWhole = (value: unknown, min: number): boolean =>
  Number.isSafeInteger(value) && (value as number) >= min;

/**
 * Checks a register's settings before it listens: one
 * `WM_ERR_INVALID_OPTION` listing every problem, so a typo never runs a
 * register without an auth deadline or a bound.
 */
export function validateRegister(register: RegisterSettings): void {
  const problems: string[] = [];
  if (typeof register.secretKey !== 'string') problems.push('secretKey must be a string');
  if (!isPositive(register.authTimeout)) {
    problems.push(`authTimeout must be seconds > 0, got ${String(register.authTimeout)}`);
  }
  if (!isWhole(register.maxConnections, 1)) {
    problems.push(
      `maxConnections must be a whole number >= 1, got ${String(register.maxConnections)}`,
    );
  }
  if (!isWhole(register.maxPackageSize, MIN_PACKAGE_SIZE)) {
    problems.push(
      `maxPackageSize must be a whole number of bytes >= ${MIN_PACKAGE_SIZE}, got ${String(register.maxPackageSize)}`,
    );
  }
  if (problems.length > 0) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `register "${register.name}": ${problems.join('; ')}`,
    );
  }
}
