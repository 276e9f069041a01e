// Entry point: reads preferences and the token before the first render (so no state flashes), then mounts #app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { dashboard } from './lib/dashboard.svelte';
import { settings } from './lib/settings.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

settings.init();
dashboard.init();

export default mount(App, { target });
