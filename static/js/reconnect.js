// When a page's socket (the campaign's live updates, the bell) drops: try again at a
// random moment within the next 2 s, every time. A page is back within 2 s of its
// server; and when a worker goes (a deploy, a crash) and its thousands of sockets drop
// at once, their pages come back spread evenly over those 2 s. A short first wait
// (250 ms, as before) sent them all to the remaining workers within a quarter second.
export const RETRY_WITHIN_MS = 2000;

export function retryDelay() {
  return Math.random() * RETRY_WITHIN_MS;
}
