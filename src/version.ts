/** workerman-ts version, shown in the start banner and the status table. */
export const VERSION = '0.1.0';
