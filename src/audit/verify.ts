import type { AuditRecord } from "./event.js";
import { GENESIS_HASH, eventHash } from "./hash-chain.js";

export interface VerifyProblem {
  seq: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Number of events read and checked. */
  checked: number;
  /** Absent when ok. At most MAX_PROBLEMS are listed: past that, the log is broken beyond a useful list. */
  problems?: VerifyProblem[];
  /**
   * Present when the walk was incremental: the seq of the verified checkpoint it started after (events up to it were
   * checked by an earlier verify, not by this one; `full` re-checks from the first event).
   */
  from_seq?: number;
}

/** Where an incremental walk starts: the last event an earlier verify found intact. */
export interface ChainStart {
  seq: number;
  hash: string;
}

/** A walk's report and the last event it checked (the next checkpoint when the report is ok). */
export interface ChainWalk {
  report: VerifyReport;
  head?: ChainStart;
}

export const MAX_PROBLEMS = 1000;

/**
 * Walks the chain in seq order, one event at a time, and names every problem it finds:
 *  - a gap in seq (events removed; the newest removed ones too, through the highest seq ever assigned),
 *  - a broken link (prev_hash is not the hash of the previous event: an event was inserted, reordered, or its
 *    predecessor was rewritten together with its own hash),
 *  - a hash mismatch (the event's content no longer matches its hash: the event was changed).
 * Pure over its input, so that any store can feed it.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private previousHash = GENESIS_HASH;
  private checked = 0;
  private readonly problems: VerifyProblem[] = [];
  private last: ChainStart | undefined;

  /**
   * `from`: continue after a verified checkpoint. `fromEvent` is that event as stored now: when it is gone or its
   * hash is no longer the one verified, the events before it were changed since, which is reported (a full verify
   * says which).
   */
  constructor(
    private readonly from?: ChainStart,
    fromEvent?: AuditRecord,
  ) {
    if (from === undefined) return;
    this.expectedSeq = from.seq + 1;
    this.previousHash = from.hash;
    if (fromEvent === undefined || fromEvent.seq !== from.seq) {
      this.add(from.seq, `checkpoint broken: event ${from.seq}, verified earlier, was removed (run a full verify)`);
    } else if (fromEvent.hash !== from.hash || eventHash(withoutHash(fromEvent)) !== from.hash) {
      this.add(from.seq, `checkpoint broken: event ${from.seq} no longer has the hash verified earlier (run a full verify)`);
    }
  }

  check(record: AuditRecord): void {
    this.checked++;
    if (record.seq !== this.expectedSeq) {
      // A gap breaks the link as well; one problem names it better than two.
      const reason =
        record.seq > this.expectedSeq ? missing(this.expectedSeq, record.seq - 1) : `out of order: expected seq ${this.expectedSeq}`;
      this.add(record.seq, reason);
    } else if (record.prevHash !== this.previousHash) {
      this.add(
        record.seq,
        record.seq === 1
          ? "broken link: prev_hash of the first event is not the genesis hash"
          : `broken link: prev_hash is not the hash of event ${record.seq - 1}`,
      );
    }
    if (eventHash(withoutHash(record)) !== record.hash) this.add(record.seq, "hash mismatch: the event was changed");
    this.previousHash = record.hash;
    this.expectedSeq = Math.max(this.expectedSeq, record.seq + 1);
    this.last = { seq: record.seq, hash: record.hash };
  }

  /** Ends the walk; `lastAssignedSeq` reveals removed events after the last one present. */
  finish(lastAssignedSeq: number): VerifyReport {
    return this.finishWalk(lastAssignedSeq).report;
  }

  /** finish(), with the last event checked: the next checkpoint when the report is ok. */
  finishWalk(lastAssignedSeq: number): ChainWalk {
    if (lastAssignedSeq >= this.expectedSeq) this.add(this.expectedSeq, missing(this.expectedSeq, lastAssignedSeq));
    const from = this.from === undefined ? {} : { from_seq: this.from.seq };
    const report: VerifyReport =
      this.problems.length === 0
        ? { ok: true, checked: this.checked, ...from }
        : { ok: false, checked: this.checked, problems: this.problems, ...from };
    return this.last === undefined ? { report } : { report, head: this.last };
  }

  private add(seq: number, reason: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ seq, reason });
  }
}

const withoutHash = (record: AuditRecord): Omit<AuditRecord, "hash"> => {
  const { hash: _stored, ...content } = record;
  return content;
};

const missing = (from: number, to: number): string =>
  from === to ? `missing: event ${from} was removed` : `missing: events ${from}..${to} were removed`;
