import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanBytes, renderConnections, renderStatus } from '../../src/cli/render-status.js';
import type { ConnectionRow } from '../../src/process/ipc.js';
import type { StatusReport } from '../../src/process/status.js';

const figures = (pid: number, id: number, totalRequest: number, packetErr: number) => ({
  pid,
  id,
  worker: 'chat',
  listen: 'text://0.0.0.0:2347',
  memory: 10 * 1024 * 1024,
  connections: 3,
  sendFail: 1,
  timers: 2,
  totalRequest,
  qps: 5,
  packetErr,
  timestamp: 1_700_000_000,
  busy: false as const,
});

const report: StatusReport = {
  version: '0.1.0',
  node: 'v20.19.0',
  masterPid: 100,
  startedAt: 0,
  uptime: 90_061,
  loadavg: [0.5, 0.25, 0],
  eventLoop: 'node:cluster SCHED_NONE',
  workers: 1,
  processes: 3,
  stopTimeout: 2,
  exitStatus: { chat: { '0': 2 } },
  children: [
    figures(101, 0, 40, 2),
    figures(102, 1, 60, 1),
    { pid: 103, id: 2, worker: 'chat', listen: 'text://0.0.0.0:2347', busy: true },
  ],
};

function cells(line: string | undefined): string[] {
  return (line ?? '').trim().split(/\s+/);
}

test('status: each process shows packet_err and timestamp; a summary adds the answering ones up', () => {
  const lines = renderStatus(report).split('\n');
  const header = lines.findIndex((line) => line.startsWith('pid '));
  assert.deepEqual(cells(lines[header]), [
    'pid',
    'memory',
    'listening',
    'worker_name',
    'id',
    'connections',
    'send_fail',
    'timers',
    'total_request',
    'qps',
    'packet_err',
    'timestamp',
    'status',
  ]);
  assert.deepEqual(cells(lines[header + 1]), [
    '101',
    '10.0M',
    'text://0.0.0.0:2347',
    'chat',
    '0',
    '3',
    '1',
    '2',
    '40',
    '5',
    '2',
    '1700000000',
    '[idle]',
  ]);
  assert.deepEqual(cells(lines[header + 3]), [
    '103',
    'N/A',
    'text://0.0.0.0:2347',
    'chat',
    '2',
    'N/A',
    'N/A',
    'N/A',
    'N/A',
    'N/A',
    'N/A',
    'N/A',
    '[busy]',
  ]);
  const summary = lines.find((line) => line.startsWith('Summary'));
  assert.deepEqual(cells(summary), [
    'Summary',
    '20.0M',
    '-',
    '-',
    '-',
    '6',
    '2',
    '4',
    '100',
    '10',
    '3',
    '-',
    '[Summary]',
  ]);
  assert.match(renderStatus(report), /run 1 days 1 hours 1 minutes 1 seconds/);
});

test('connections: the origin columns, ipv4 and ipv6 flags, sizes in B/KB/MB', () => {
  const row: ConnectionRow = {
    pid: 101,
    worker: 'a-very-long-worker-name',
    id: 7,
    transport: 'tcp',
    protocol: 'websocket',
    ipv4: false,
    recvQueue: 0,
    sendQueue: 2048,
    bytesRead: 5 * 1024 * 1024,
    bytesWritten: 512,
    status: 'ESTABLISHED',
    local: '[::1]:8080',
    remote: '[::1]:50000',
  };
  const lines = renderConnections([row]).split('\n');
  assert.match(lines[0] ?? '', /WORKERMAN CONNECTION STATUS/);
  assert.deepEqual(cells(lines[1]), [
    'PID',
    'Worker',
    'CID',
    'Trans',
    'Protocol',
    'ipv4',
    'ipv6',
    'Recv-Q',
    'Send-Q',
    'Bytes-R',
    'Bytes-W',
    'Status',
    'Local',
    'Address',
    'Foreign',
    'Address',
  ]);
  assert.deepEqual(cells(lines[2]), [
    '101',
    'a-very-long-wo',
    '7',
    'tcp',
    'websocket',
    '0',
    '1',
    '0B',
    '2.0KB',
    '5.0MB',
    '512B',
    'ESTABLISHED',
    '[::1]:8080',
    '[::1]:50000',
  ]);
  assert.equal(humanBytes(1023), '1023B');
  assert.equal(humanBytes(3 * 1024 ** 4), '3.0TB');
});
