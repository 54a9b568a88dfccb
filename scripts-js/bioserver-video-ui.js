// placeholder bioserver-video-ui.js /*@EMULATOR_BROWSER_CONFIG@*/null
