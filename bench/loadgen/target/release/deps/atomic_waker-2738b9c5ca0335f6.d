/work/main/bench/loadgen/target/release/deps/atomic_waker-2738b9c5ca0335f6.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/atomic-waker-1.1.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libatomic_waker-2738b9c5ca0335f6.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/atomic-waker-1.1.2/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libatomic_waker-2738b9c5ca0335f6.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/atomic-waker-1.1.2/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/atomic-waker-1.1.2/src/lib.rs:
