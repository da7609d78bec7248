import { ErrorCodes, WorkermanError } from '../../errors.js';
import type { GatewayApi } from './gateway-api.js';

let current: GatewayApi | null = null;

/** The business worker of this process installs the API its `Gateway.<name>` calls use. */
export function setProcessApi(api: GatewayApi | null): void {
  current = api;
}

/** The API of this process's business worker; outside one, a clear error. */
export function processApi(): GatewayApi {
  if (current === null) {
    throw new WorkermanError(
      ErrorCodes.GATEWAY_UNREACHABLE,
      'Gateway.<api> calls work inside a BusinessWorker process; elsewhere use ' +
        'new GatewayClient({ registerAddress, secretKey })',
    );
  }
  return current;
}
