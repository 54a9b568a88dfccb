/work/main/bench/loadgen/target/release/deps/sync_wrapper-584744703948cf20.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sync_wrapper-1.0.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libsync_wrapper-584744703948cf20.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sync_wrapper-1.0.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libsync_wrapper-584744703948cf20.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sync_wrapper-1.0.2/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sync_wrapper-1.0.2/src/lib.rs:
