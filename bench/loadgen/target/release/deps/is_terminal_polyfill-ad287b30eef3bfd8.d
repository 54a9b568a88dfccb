/work/main/bench/loadgen/target/release/deps/is_terminal_polyfill-ad287b30eef3bfd8.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/is_terminal_polyfill-1.70.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libis_terminal_polyfill-ad287b30eef3bfd8.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/is_terminal_polyfill-1.70.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libis_terminal_polyfill-ad287b30eef3bfd8.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/is_terminal_polyfill-1.70.2/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/is_terminal_polyfill-1.70.2/src/lib.rs:
