// What limits each figure now, from profiling (`npm run bench -- --profile`); printed under the table.
export const WHAT_LIMITS_US = `### What limits us

(to be filled from profiles)`;
