// Applies the saved (or system) theme before first paint so a dark-mode reader never sees a white flash.
// A file rather than an inline script, so the page works under a strict Content-Security-Policy.
(function () {
  try {
    var saved = localStorage.getItem('mai-usage.theme');
    var dark = saved ? saved === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
  } catch (e) {
    /* storage unavailable: the app sets the theme once it starts */
  }
})();
