import type { ConnectionRow } from '../process/ipc.js';
import type { StatusReport } from '../process/status.js';

const RULE = '-'.repeat(100);

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)}M`;
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${d} days ${h} hours ${m} minutes ${seconds % 60} seconds`;
}

function row(cells: readonly (string | number)[], widths: readonly number[]): string {
  return cells.map((cell, i) => String(cell).padEnd(widths[i] ?? 0)).join(' ');
}

/** The status table users know from the origin: a global block, then one line per process. */
export function renderStatus(report: StatusReport): string {
  const lines = [
    `${'-'.repeat(40)}GLOBAL STATUS${'-'.repeat(47)}`,
    `workerman-ts version:${report.version}   Node version:${report.node}`,
    `start time:${new Date(report.startedAt).toISOString().replace('T', ' ').slice(0, 19)}   run ${duration(report.uptime)}`,
    `load average: ${report.loadavg.map((n) => n.toFixed(2)).join(', ')}   event-loop:${report.eventLoop}`,
    `${report.workers} workers       ${report.processes} processes`,
    row(['worker_name', 'exit_status', 'exit_count'], [20, 12, 10]),
  ];
  for (const [name, statuses] of Object.entries(report.exitStatus)) {
    const entries = Object.entries(statuses);
    if (entries.length === 0) lines.push(row([name, 0, 0], [20, 12, 10]));
    for (const [status, count] of entries) lines.push(row([name, status, count], [20, 12, 10]));
  }
  const widths = [8, 7, 28, 16, 6, 11, 9, 7, 13, 8, 10, 10, 6];
  const header = [
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
  ];
  lines.push(`${'-'.repeat(40)}PROCESS STATUS${'-'.repeat(46)}`, row(header, widths));
  const sum = {
    memory: 0,
    connections: 0,
    sendFail: 0,
    timers: 0,
    totalRequest: 0,
    qps: 0,
    packetErr: 0,
  };
  for (const child of report.children) {
    if (child.busy) {
      const unknown = Array<string>(7).fill('N/A');
      lines.push(
        row([child.pid, 'N/A', child.listen, child.worker, child.id, ...unknown, '[busy]'], widths),
      );
      continue;
    }
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += child[key];
    lines.push(
      row(
        [
          child.pid,
          megabytes(child.memory),
          child.listen,
          child.worker,
          child.id,
          child.connections,
          child.sendFail,
          child.timers,
          child.totalRequest,
          child.qps,
          child.packetErr,
          child.timestamp,
          '[idle]',
        ],
        widths,
      ),
    );
  }
  // The origin's summary line: every answering process added up.
  lines.push(
    `${'-'.repeat(40)}PROCESS STATUS${'-'.repeat(46)}`,
    row(
      [
        'Summary',
        megabytes(sum.memory),
        '-',
        '-',
        '-',
        sum.connections,
        sum.sendFail,
        sum.timers,
        sum.totalRequest,
        sum.qps,
        sum.packetErr,
        '-',
        '[Summary]',
      ],
      widths,
    ),
    RULE,
  );
  return lines.join('\n');
}

/** Bytes as the origin's `connections` shows them: B, KB, MB, GB, TB. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(1)}${units[unit]}`;
}

/** One line per connection, the origin's `connections` columns. */
export function renderConnections(rows: readonly ConnectionRow[]): string {
  const widths = [8, 15, 8, 6, 16, 5, 5, 8, 8, 9, 9, 12, 22, 22];
  const lines = [
    `${'-'.repeat(43)}WORKERMAN CONNECTION STATUS${'-'.repeat(30)}`,
    row(
      [
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
        'Local Address',
        'Foreign Address',
      ],
      widths,
    ),
  ];
  for (const c of rows) {
    lines.push(
      row(
        [
          c.pid,
          c.worker.slice(0, 14),
          c.id,
          c.transport,
          c.protocol.slice(0, 15),
          c.ipv4 ? 1 : 0,
          c.ipv4 ? 0 : 1,
          humanBytes(c.recvQueue),
          humanBytes(c.sendQueue),
          humanBytes(c.bytesRead),
          humanBytes(c.bytesWritten),
          c.status,
          c.local,
          c.remote,
        ],
        widths,
      ),
    );
  }
  lines.push(RULE);
  return lines.join('\n');
}
