// Lets tsc see .svelte imports (vite-plugin-svelte compiles them); components are typed by svelte-check, not tsc.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<Record<string, unknown>>;
  export default component;
}
