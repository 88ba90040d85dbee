/**
 * cac 7 (the argument parser) is an EventTarget and announces each parsed command with
 * `new CustomEvent(...)`. CustomEvent is a global from Node 19 on; Node 18 has Event and
 * EventTarget but keeps CustomEvent behind `--experimental-global-customevent`. On such a Node
 * this installs the DOM class's minimal equivalent (an Event carrying `detail`,
 * https://dom.spec.whatwg.org/#interface-customevent) before the parser runs.
 */
interface CustomEventInitShim<T> {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
  detail?: T;
}

export function ensureCustomEvent(): void {
  if (typeof (globalThis as { CustomEvent?: unknown }).CustomEvent === "function") return;
  class CustomEventShim<T> extends Event {
    readonly detail: T | null;
    constructor(type: string, init?: CustomEventInitShim<T>) {
      super(type, init);
      this.detail = init?.detail ?? null;
    }
  }
  Object.defineProperty(globalThis, "CustomEvent", { value: CustomEventShim, writable: true, configurable: true });
}
