/**
 * One change at a time per deployment: two switches never interleave their load, persist and swap. Each piece of
 * work, done or failed, is followed (still inside the queue) by `after` — the service's health verdict — so that no
 * change leaves the deployment without a fresh one.
 *
 * Work inside the queue must never wait for later work of the same deployment (it would wait for itself): an alias
 * move's switch, for example, is queued by the registry's event and awaited by a second, later piece of work.
 */
export class DeploymentQueue {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly after: (name: string) => Promise<void>) {}

  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.followed(name, work));
    this.queues.set(name, next);
    void next
      .finally(() => {
        if (this.queues.get(name) === next) this.queues.delete(name);
      })
      .catch(() => undefined);
    return next;
  }

  private async followed<T>(name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      await this.after(name);
    }
  }
}
