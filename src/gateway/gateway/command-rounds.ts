import { Command } from '../wire/commands.js';
import { FRAME_HEADER_BYTES, type GatewayFrame } from '../wire/frames.js';
import { CommandPacing, type PacingSettings } from './command-pacing.js';
import type { Link } from './peer-handshake.js';

/** What a round does with what was gathered, given by the GatewayProcess. */
export interface RoundWork {
  /** Carries out one command of an authenticated peer. */
  command(connection: Link, frame: GatewayFrame): void;
  /** Writes the client events gathered for the business workers. */
  flushEvents(): void;
}

/**
 * Work gathered while the event loop reads sockets is done once they are all
 * read (`setImmediate`): client events go to each business worker in one
 * write, and the commands of every link are carried out together, so a
 * client that several broadcasts reach in one poll gets them in one write
 * (one system call for all, not one each). Commands may wait longer, in
 * proportion to the last round's work (CommandPacing); events never do.
 */
export class CommandRounds {
  readonly #work: RoundWork;
  readonly #pacing: CommandPacing;
  /** Peer frames read since the last round, carried out together (`#run`). */
  #frames: { connection: Link; frame: GatewayFrame }[] = [];
  #endOfPollScheduled = false;
  /** The next round, while it waits. */
  #timer: ReturnType<typeof setTimeout> | null = null;
  /**
   * A gathered command changes a session: the round runs without waiting.
   * Client events leave at once with their client's session, so a handler
   * that changed a session (and told someone) must not see the next event
   * of that client carry the old one. Session changes are rare; sends,
   * which pacing gathers, are not.
   */
  #sessionChanged = false;

  constructor(settings: PacingSettings, work: RoundWork) {
    this.#pacing = new CommandPacing(settings);
    this.#work = work;
  }

  /** A command for the next round. */
  add(connection: Link, frame: GatewayFrame): void {
    this.#frames.push({ connection, frame });
    if (frame.cmd === Command.UPDATE_SESSION || frame.cmd === Command.SET_SESSION) {
      this.#sessionChanged = true;
    }
    this.#pacing.gathered(FRAME_HEADER_BYTES + frame.ext.length + frame.body.length);
    this.scheduleEndOfPoll();
  }

  /** Client events were gathered, or commands: both are looked at once this poll is read. */
  scheduleEndOfPoll(): void {
    if (this.#endOfPollScheduled) return;
    this.#endOfPollScheduled = true;
    setImmediate(() => this.#endOfPoll());
  }

  /** Carries out what waits now, without waiting (the gateway stops). */
  runNow(): void {
    this.#cancelTimer();
    this.#run();
  }

  #endOfPoll(): void {
    this.#endOfPollScheduled = false;
    const wait =
      this.#frames.length === 0 || this.#sessionChanged
        ? 0
        : this.#pacing.waitAt(performance.now());
    if (wait > 0) {
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.#run();
      }, wait);
      this.#work.flushEvents();
      return;
    }
    this.runNow();
  }

  #cancelTimer(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Carries out the gathered commands, then writes the events of this poll. */
  #run(): void {
    const frames = this.#frames;
    this.#frames = [];
    this.#sessionChanged = false;
    this.#pacing.taken();
    const start = performance.now();
    // Commands first, so the events written below carry the sessions they
    // set (an event's context is read when it is written); but a worker's
    // LEAVING after the events: its LEFT must follow every event routed to it.
    const leaving: typeof frames = [];
    for (const item of frames) {
      if (item.frame.cmd === Command.LEAVING) leaving.push(item);
      else this.#work.command(item.connection, item.frame);
    }
    this.#work.flushEvents();
    for (const { connection, frame } of leaving) this.#work.command(connection, frame);
    if (frames.length === 0) return;
    // The round's client writes leave at the end of this turn (send-batch.ts,
    // queued before this tick): the round ends once they are done.
    process.nextTick(() => this.#pacing.ran(start, performance.now()));
  }
}
