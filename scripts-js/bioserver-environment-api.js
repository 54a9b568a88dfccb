// placeholder bioserver-environment-api.js /*@EMULATOR_BROWSER_CONFIG@*/null
