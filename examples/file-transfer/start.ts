// The manual's file upload over its own binary protocol, on
// BinaryTransfer://127.0.0.1:8333: each packet carries a file name and the
// file's bytes (see binary-transfer.ts), and the server saves the file into
// UPLOAD_DIR (default ./uploads) and answers with one line. Send a file with
//   node --import tsx examples/file-transfer/send-file.ts photo.jpg
// PORT picks another port; MAX_UPLOAD_BYTES bounds a packet (default 16 MiB).
//
// The manual saves to '/tmp/' . $file_name as given, so a client naming its
// file "../etc/cron.d/x" writes wherever it likes. Here a name is a plain
// file name or it is refused: no path separators, no leading dot (which also
// rules out "." and ".."), nothing outside the upload folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Protocols, Worker } from '../../src/index.js';
import { BinaryTransfer, type Upload } from './binary-transfer.js';

declare module '../../src/index.js' {
  interface SchemeTypes {
    BinaryTransfer: { decoded: Upload; encodable: string };
  }
}

Protocols.register('BinaryTransfer', BinaryTransfer);

const port = Number(process.env.PORT ?? 8333);
const uploadDir = resolve(process.env.UPLOAD_DIR ?? 'uploads');
const maxUploadBytes = Number(process.env.MAX_UPLOAD_BYTES ?? 16 * 1024 * 1024);

// A plain file name: no leading dot, and no slash, backslash or NUL anywhere.
const SAFE_NAME = /^[^./\\\0][^/\\\0]*$/;

const worker = new Worker(`BinaryTransfer://127.0.0.1:${port}`);
worker.name = 'file-transfer';

worker.onWorkerStart = async () => {
  await mkdir(uploadDir, { recursive: true });
};

// The whole packet is held in memory until it is complete: the bound is
// checked against the length in the header, before any of the file arrives,
// and a bigger upload closes the connection (WM_ERR_PACKAGE_TOO_LARGE).
worker.onConnect = (connection) => {
  connection.maxPackageSize = maxUploadBytes;
};

// A packet over the bound, or a header that cannot be right, closes the
// connection; the log says which connection and why.
worker.onError = (_connection, _code, message) => {
  console.error(`file-transfer: ${message}`);
};

worker.onMessage = async (connection, { name, data }) => {
  if (!SAFE_NAME.test(name)) {
    connection.close(`refused: ${JSON.stringify(name)} is not a plain file name`);
    return;
  }
  try {
    await writeFile(join(uploadDir, name), data);
  } catch (error) {
    console.error(`file-transfer: cannot save ${name}: ${error}`);
    connection.close(`failed: ${name} could not be saved`);
    return;
  }
  connection.send(`upload success: ${name}, ${data.length} bytes`);
};

Worker.runAll();
