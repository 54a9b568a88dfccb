// placeholder bioserver-network-check.js /*@EMULATOR_BROWSER_CONFIG@*/null
