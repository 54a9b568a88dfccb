// placeholder bioserver-video-api.js /*@EMULATOR_BROWSER_CONFIG@*/null
