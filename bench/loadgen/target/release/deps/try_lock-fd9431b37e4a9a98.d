/work/main/bench/loadgen/target/release/deps/try_lock-fd9431b37e4a9a98.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/try-lock-0.2.5/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libtry_lock-fd9431b37e4a9a98.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/try-lock-0.2.5/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libtry_lock-fd9431b37e4a9a98.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/try-lock-0.2.5/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/try-lock-0.2.5/src/lib.rs:
