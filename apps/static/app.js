// Served by the proxy from the collected static files, never by the app.
"use strict";

window.deployHarness = { static: "app.js" };
