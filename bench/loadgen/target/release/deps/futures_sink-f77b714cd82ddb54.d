/work/main/bench/loadgen/target/release/deps/futures_sink-f77b714cd82ddb54.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/futures-sink-0.3.34/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libfutures_sink-f77b714cd82ddb54.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/futures-sink-0.3.34/src/lib.rs

/work/main/bench/loadgen/target/release/deps/libfutures_sink-f77b714cd82ddb54.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/futures-sink-0.3.34/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/futures-sink-0.3.34/src/lib.rs:
