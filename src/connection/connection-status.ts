import { ConnectionStatus, type ConnectionStatusValue } from '../protocols/codec-connection.js';

// The states themselves belong to the codec contract (codecs compare
// against them); the names are what `connections` shows.
export { ConnectionStatus, type ConnectionStatusValue };

export const STATUS_NAMES: Record<ConnectionStatusValue, string> = {
  [ConnectionStatus.INITIAL]: 'INITIAL',
  [ConnectionStatus.CONNECTING]: 'CONNECTING',
  [ConnectionStatus.ESTABLISHED]: 'ESTABLISHED',
  [ConnectionStatus.CLOSING]: 'CLOSING',
  [ConnectionStatus.CLOSED]: 'CLOSED',
};
