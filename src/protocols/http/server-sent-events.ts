export interface ServerSentEvent {
  event?: string;
  data?: string;
  id?: string;
  retry?: number;
  /** A comment line (`: text`), e.g. a keepalive. */
  comment?: string;
}

/**
 * One server-sent event (HTML Living Standard §9.2, `text/event-stream`):
 * after a Response with `Content-Type: text/event-stream`,
 * `connection.send(new ServerSentEvents({ event: 'tick', data: 'x' }))`.
 *
 *     event: tick\n
 *     id: 7\n
 *     data: line one\n
 *     data: line two\n
 *     \n
 */
export class ServerSentEvents {
  readonly fields: ServerSentEvent;

  constructor(fields: ServerSentEvent) {
    this.fields = fields;
  }

  toString(): string {
    const { event, data, id, retry, comment } = this.fields;
    let text = '';
    // A newline inside a field would start a new field: comments and data
    // are split per line; event and id lose their line breaks.
    if (comment !== undefined)
      for (const line of comment.split(/\r\n|\r|\n/)) text += `: ${line}\n`;
    if (event !== undefined) text += `event: ${event.replace(/[\r\n]/g, '')}\n`;
    if (id !== undefined) text += `id: ${id.replace(/[\r\n\0]/g, '')}\n`;
    if (retry !== undefined) text += `retry: ${Math.trunc(retry)}\n`;
    if (data !== undefined) for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
    return `${text}\n`;
  }
}
