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
    const { hash: _stored, ...content } = record;
    if (eventHash(content) !== record.hash) this.add(record.seq, "hash mismatch: the event was changed");
    this.previousHash = record.hash;
    this.expectedSeq = Math.max(this.expectedSeq, record.seq + 1);
  }

  /** Ends the walk; `lastAssignedSeq` reveals removed events after the last one present. */
  finish(lastAssignedSeq: number): VerifyReport {
    if (lastAssignedSeq >= this.expectedSeq) this.add(this.expectedSeq, missing(this.expectedSeq, lastAssignedSeq));
    return this.problems.length === 0
      ? { ok: true, checked: this.checked }
      : { ok: false, checked: this.checked, problems: this.problems };
  }

  private add(seq: number, reason: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ seq, reason });
  }
}

const missing = (from: number, to: number): string =>
  from === to ? `missing: event ${from} was removed` : `missing: events ${from}..${to} were removed`;
