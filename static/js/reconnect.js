// When a page's socket (the campaign's live updates, the bell) drops: try again at a
// random moment within the next 2 s, every time. A page is back within 2 s of its
// server; and when a worker goes (a deploy, a crash) and its thousands of sockets drop
// at once, their pages come back spread evenly over those 2 s. A short first wait
// (250 ms, as before) sent them all to the remaining workers within a quarter second.
export const RETRY_WITHIN_MS = 2000;
// A worker with too many handshakes in progress says "try again later" (close code
// 1013) before doing any work: such a page comes back within a wider window, so the
// worker spends its time on handshakes it can finish, not on refusing the same pages.
export const TRY_LATER = 1013;
export const BUSY_RETRY_WITHIN_MS = 10000;

export function retryDelay(closeCode) {
  const within = closeCode === TRY_LATER ? BUSY_RETRY_WITHIN_MS : RETRY_WITHIN_MS;
  return Math.random() * within;
}
