import { type TestContext, test } from 'node:test';
import { TcpConnection } from '../../src/index.js';
import { directWritesAvailable } from '../../src/transport/direct-write.js';

/**
 * Registers `name` twice, with `TcpConnection.directWrites` on and off: the
 * outcomes must be the same. `direct` tells the body whether writes really
 * go to the handle (on, and offered by this Node).
 */
export function bothWriteModes(
  name: string,
  body: (t: TestContext, direct: boolean) => Promise<void>,
): void {
  for (const direct of [true, false]) {
    test(`${name} (directWrites ${direct})`, async (t) => {
      const saved = TcpConnection.directWrites;
      TcpConnection.directWrites = direct;
      t.after(() => {
        TcpConnection.directWrites = saved;
      });
      await body(t, direct && directWritesAvailable);
    });
  }
}
