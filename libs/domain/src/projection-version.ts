// The version of the projection's logic (foldUsage, firstOfEachGeneration, the rows they produce). Changing
// what the projection computes means raising this number and building a new version of the tables by replaying
// the stream (`npm run cli -- projection rebuild`), never a hand-written data migration of the old rows.
// Every table set records the logic it was built with, so `projection list` shows a live set built by older logic.
export const PROJECTION_VERSION = 1;
